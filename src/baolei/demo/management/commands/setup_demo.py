from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from baolei.accounts import services
from baolei.accounts.models import User
from baolei.accounts.permissions import Role
from baolei.demo import effect
from baolei.regions.models import Region

DEMO_COUNTY = "420222"  # 阳新县, Huangshi, Hubei
ADMIN_USERNAME = "admin"
# In dependency order: grading needs branches, work teams need cadres.
DEMO_GENERATORS = (
    "generate_organisation_demo",
    "generate_grading_demo",
    "generate_cadres_demo",
    "generate_teams_demo",
    "generate_talent_demo",
)


def _place(village_name: str) -> str:
    """山川台社区居委会 → 山川台社区, 龙港村委会 → 龙港村: as its branch is named."""
    for suffix in ("居民委员会", "村民委员会", "居委会", "村委会", "委员会"):
        if village_name.endswith(suffix):
            return village_name.removesuffix(suffix)
    return village_name


class Command(BaseCommand):
    help = (
        "Create the administrator (printing a generated password once) and demo accounts "
        "for the demo county. Running it again leaves existing accounts alone."
    )

    def handle(self, *args, **options):
        county = Region.objects.filter(code=DEMO_COUNTY).first()
        if county is None:
            self.stderr.write("Load the regions first: baolei load-regions --only 420222")
            raise SystemExit(1)
        with transaction.atomic():
            admin_password = self._ensure_admin()
            demo_passwords = self._ensure_demo_users(county)
        # The synthetic register of the demo county; a county that has one is left alone.
        call_command(
            "generate_register", region=DEMO_COUNTY, households=30_000, seed=1, stdout=self.stdout
        )
        # Then the organisation around it; each leaves a county that already has its part.
        for command in DEMO_GENERATORS:
            call_command(command, region=DEMO_COUNTY, seed=1, stdout=self.stdout)
        # An effect for the effectiveness view to find: households lifted out where a
        # first secretary came, in some townships only (see baolei.demo.effect).
        planted = effect.generate_demo(DEMO_COUNTY, seed=1)
        if any(planted.values()):
            made = ", ".join(f"{n} {key.replace('_', ' ')}" for key, n in planted.items())
            self.stdout.write(f"Region {DEMO_COUNTY}, seed 1: effect planted ({made})")
        # The command centre's figures, counted once; from here the refresher keeps them.
        call_command("recompute_indicators", stdout=self.stdout)
        self._report(admin_password, demo_passwords)

    def _ensure_admin(self) -> str | None:
        if User.objects.filter(username=ADMIN_USERNAME).exists():
            return None
        password = services.generate_password()
        User.objects.create_superuser(ADMIN_USERNAME, password=password, full_name="系统管理员")
        return password

    def _ensure_demo_users(self, county: Region) -> dict[str, tuple[str, str]]:
        township = Region.objects.children_of(county.code).order_by("code").first()
        village = Region.objects.children_of(township.code).order_by("code").first()
        branch_name = f"{_place(village.name)}党支部"
        wanted = [
            ("yx_zuzhibu", "阳新县委组织部", Role.ORGANISATION_DEPARTMENT, county),
            ("yx_xiangzhen", "阳新县乡村振兴局", Role.REVITALISATION_BUREAU, county),
            ("yx_leader", "阳新县领导", Role.LEADER, county),
            (f"town_{township.code}", f"{township.name}干部", Role.TOWNSHIP_OFFICER, township),
            (f"secretary_{village.code}", f"{village.name}第一书记", Role.FIRST_SECRETARY, village),
            (f"branch_{village.code}", branch_name, Role.VILLAGE_BRANCH, village),
        ]
        created = {}
        admin = User.objects.get(username=ADMIN_USERNAME)
        for username, full_name, role, region in wanted:
            if User.objects.filter(username=username).exists():
                continue
            password = services.generate_password()
            services.do_create_user(
                admin,
                username=username,
                password=password,
                role=role,
                scope_region=region,
                full_name=full_name,
            )
            created[username] = (password, f"{Role(role).label} · {region.name}")
        return created

    def _report(self, admin_password: str | None, demo: dict[str, tuple[str, str]]) -> None:
        out = self.stdout
        if admin_password:
            out.write("")
            out.write("=" * 64)
            out.write("Administrator login (shown once; change it after logging in):")
            out.write(f"  user:     {ADMIN_USERNAME}")
            out.write(f"  password: {admin_password}")
            out.write("=" * 64)
        else:
            out.write(
                f"Administrator '{ADMIN_USERNAME}' already exists; its password was shown when "
                f"it was created (reset it with: baolei changepassword {ADMIN_USERNAME})."
            )
        for username, (password, what) in demo.items():
            out.write(f"  demo account {username:<28} {password}   ({what})")
