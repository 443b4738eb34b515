"""Demo data of the party organisation system over the real villages of a county,
reproducible from a seed and the reference date.

For the county: its party committee, a committee in every township, a branch (a general
branch in the largest villages) in every village; a few hundred farmer cooperatives,
some with their own branch, some covered by a township's joint branch, one whose branch
was dissolved; county industry associations, industry-chain projects spanning villages,
enterprises and social organisations; 15–40 members in every village branch, with
realistic ages and some migrant, elderly and probationary members, and three to a dozen
in every active branch of a cooperative, enterprise or joint branch; a few percent of the
members transferred between branches (组织关系转接) with their dated history, as the
transfer form records it; members linked with the register's households (党员联户), the
monitored ones first; the two committees of every village with their general election,
the party posts held by full resident members (no migrant member is seated), the posts
held written on the members who hold them.

People come from the register where it has them (a village's adults are its first
members), otherwise they get new valid, unique ID numbers, as the register's generator
makes them. Rows are written in bulk in one transaction (bulk paths send no per-row
audit events): one audit event records the generation with its counts. A county that
already has organisations is left alone.
"""

from __future__ import annotations

import datetime
import random as random_module
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from baolei.audit import services as audit
from baolei.audit.models import Action
from baolei.demo import REFERENCE_DATE
from baolei.demo.registry.people import IdNumbers
from baolei.demo.registry.register import _taken_ids, load_villages
from baolei.demo.registry.vocabulary import _GIVEN, _SURNAMES
from baolei.imports.bulk import insert_rows
from baolei.organisation.choices import (
    CommitteePostKind,
    ElectionKind,
    HolderSource,
    HostKind,
    MemberCategory,
    MemberStanding,
    OrganisationKind,
    OrganisationStatus,
)
from baolei.organisation.models import (
    CommitteePost,
    Election,
    HostEntity,
    HostEntityVillage,
    HouseholdLink,
    MemberTransfer,
    OrganisationStatusChange,
    PartyMember,
    PartyOrganisation,
)
from baolei.organisation.services.organisations import (
    CREDIT_CHARACTERS,
    common_region,
    credit_check_character,
)
from baolei.regions import codes
from baolei.regions.models import Region
from baolei.registry import choices as registry_choices
from baolei.registry.models import Household, Member, MonitoringCase, Person

MEMBERS_PER_BRANCH = (15, 40)
# Members of the branch of a cooperative or enterprise, of a larger host (an association,
# a chain project) and of a joint branch: at least three, as a branch needs.
MEMBERS_PER_HOST_BRANCH = (3, 7)
MEMBERS_PER_LARGE_HOST_BRANCH = (5, 12)
MEMBERS_PER_JOINT_BRANCH = (4, 9)
# The share of village members who came from another village's branch, and of those the
# share who had moved once before.
MOVED_SHARE = 0.02
MOVED_TWICE_SHARE = 0.15
MOVE_REASONS = (
    "婚嫁迁入",
    "居住地变更",
    "房屋拆迁安置",
    "随子女迁居",
    "工作调动",
)
COOPERATIVES_PER_VILLAGE = 0.6  # about 280 in the demo county's 474 villages
LAST_ELECTION = datetime.date(2021, 3, 20)  # Hubei's two-committee general election
INDUSTRIES = (
    "茶叶",
    "蔬菜",
    "水产",
    "油茶",
    "中药材",
    "生猪",
    "水果",
    "粮食",
    "食用菌",
    "乡村旅游",
)
ENTERPRISE_KINDS = ("农业发展有限公司", "食品有限公司", "生态农业有限公司", "电子商务有限公司")
SOCIAL_KINDS = ("志愿者协会", "老年人协会", "红白理事会", "乡贤理事会")
ASSOCIATIONS = ("茶叶", "水产", "油茶", "电子商务")
CHAIN_PROJECTS = ("富硒茶", "虾稻共作", "油茶")
_EDUCATION = registry_choices.Education
EDUCATION_OF_HOLDERS = (
    (_EDUCATION.COLLEGE, 34),
    (_EDUCATION.SENIOR, 30),
    (_EDUCATION.VOCATIONAL, 12),
    (_EDUCATION.JUNIOR, 24),
)
SECRETARY_SOURCES = (
    (HolderSource.ENTREPRENEUR, 30),
    (HolderSource.VETERAN, 12),
    (HolderSource.RETURNED_MIGRANT, 18),
    (HolderSource.LOCAL_MEMBER, 25),
    (HolderSource.OTHER, 15),
)


COUNTS = (
    "members",
    "transfers",
    "host_entities",
    "host_organisations",
    "joint_branches",
    "committee_posts",
    "elections",
    "household_links",
    "people_created",
    "organisations",
)


@dataclass(eq=False)
class _Hosted:
    """A party organisation of host entities and the villages its members live in."""

    organisation: PartyOrganisation
    villages: list[str]
    joint: bool = False
    large: bool = False
    dissolved_on: datetime.date | None = None


def _weighted(rng: random_module.Random, pairs) -> object:
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights)[0]


def _short(village_name: str) -> str:
    """山川台社区居委会 → 山川台社区, 龙港村委会 → 龙港村."""
    for suffix in ("居民委员会", "村民委员会", "居委会", "村委会", "委员会"):
        if village_name.endswith(suffix):
            return village_name[: -len(suffix)]
    return village_name


def _post_label(kind: str, general: bool, community: bool) -> str:
    """The post as a member's 'posts held' names it."""
    branch = "党总支" if general else "党支部"
    place, committee = ("社区", "居委会") if community else ("村", "村委会")
    return {
        CommitteePostKind.SECRETARY: f"{place}{branch}书记",
        CommitteePostKind.SECRETARY_AND_CHAIR: f"{place}{branch}书记、{committee}主任",
        CommitteePostKind.DEPUTY_SECRETARY: f"{place}{branch}副书记",
        CommitteePostKind.PARTY_COMMITTEE_MEMBER: f"{place}{branch}委员",
        CommitteePostKind.CHAIR: f"{committee}主任",
        CommitteePostKind.DEPUTY_CHAIR: f"{committee}副主任",
        CommitteePostKind.VILLAGE_COMMITTEE_MEMBER: f"{committee}委员",
    }[kind]


def credit_code(rng: random_module.Random, county: str, prefix: str = "93") -> str:
    """A valid unified social credit code: 93 for a farmer cooperative, 91 an enterprise,
    52 a social organisation."""
    body = "".join(rng.choice(CREDIT_CHARACTERS[:10] + "ABCDEFGH") for _ in range(9))
    first17 = f"{prefix}{county}{body}"
    return first17 + credit_check_character(first17)


@dataclass
class _People:
    """New people with valid, unique ID numbers of the county."""

    rng: random_module.Random
    ids: IdNumbers
    as_of: datetime.date
    made: list[Person]

    def new(self, region_code: str, age: int, male: bool) -> Person:
        birth = self.as_of - datetime.timedelta(days=int(age * 365.25) + self.rng.randrange(365))
        number, ordinal = self.ids.new(birth.toordinal(), male)
        surname = _SURNAMES.pick(self.rng.random)
        given = _GIVEN[(male, age >= 45)]
        name = surname + "".join(self.rng.choice(given) for _ in range(self.rng.choice((1, 2))))
        person = Person(
            id_number=number,
            name=name,
            sex=registry_choices.Sex.MALE if male else registry_choices.Sex.FEMALE,
            birth_date=datetime.date.fromordinal(ordinal),
            region_code=region_code,
        )
        self.made.append(person)
        return person


def _member_age(rng: random_module.Random) -> int:
    """Rural party members are older than the villages they live in."""
    return int(min(90, max(22, rng.gauss(56, 14))))


def generate_demo(
    county_code: str = "420222",
    seed: int = 1,
    as_of: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Generate the county's organisation system; the counts of what was made, all zero
    when the county has organisations already (it is left alone)."""
    if PartyOrganisation.objects.filter(codes.within("region_code", county_code)).exists():
        return dict.fromkeys(COUNTS, 0)
    as_of = as_of or REFERENCE_DATE
    with transaction.atomic():
        counts = _Generator(county_code, seed, as_of, progress or (lambda text: None)).run()
        audit.record_bulk(
            Action.BULK_LOAD,
            model="organisation.partyorganisation",
            region_code=county_code,
            generator="synthetic",
            seed=seed,
            as_of=as_of.isoformat(),
            counts=counts,
        )
    return counts


MEMBER_FIELDS = ["person_id", "branch_id", "joined_on", "standing", "category", "posts"]


def _write(model, fields: list[str], objects: list) -> None:
    """Insert the objects set-based (COPY on PostgreSQL) and give them their keys."""
    rows = [[getattr(obj, name) for name in fields] for obj in objects]
    keys = insert_rows(model, fields, rows, lambda done: None)
    for obj, key in zip(objects, keys, strict=True):
        obj.pk = key


class _Generator:
    def __init__(self, county: str, seed: int, as_of: datetime.date, progress) -> None:
        self.county = county
        self.rng = random_module.Random(seed)
        self.as_of = as_of
        self.progress = progress
        self.villages = load_villages(county)
        ids = IdNumbers(self.rng.random)
        ids.enter(county, _taken_ids([county]).get(county, set()))
        self.people = _People(self.rng, ids, as_of, [])
        self.counts: dict[str, int] = defaultdict(int)
        self.township_names = {v.code[:9]: v.township for v in self.villages}
        self.transfers: list[MemberTransfer] = []

    def run(self) -> dict[str, int]:
        _committee, townships = self._committees()
        branches = self._village_branches(townships)
        self.progress("organisations")
        members = self._members(branches)
        self.progress("members")
        hosted = self._hosts(townships, branches)
        self._host_members(hosted, branches)
        self.progress("host entities")
        self._moves(branches, members, hosted)
        self.progress("transfers")
        self._committees_of_villages(members, branches)
        self.progress("two committees")
        self._links(members)
        self.progress("household links")
        self.counts["people_created"] = len(self.people.made)
        self.counts["organisations"] = PartyOrganisation.objects.filter(
            codes.within("region_code", self.county)
        ).count()
        return {key: self.counts[key] for key in COUNTS}

    def _body(self, region_code: str) -> str:
        """Who records a township's decisions and transfers (its party committee), or the
        county's (its organisation department): named as the other generators name them."""
        if len(region_code) >= 9 and region_code[:9] in self.township_names:
            return f"{self.township_names[region_code[:9]]}党委"
        return f"{self.villages[0].county_name}委组织部"

    def _write_people(self) -> None:
        new = [person for person in self.people.made if person.pk is None]
        _write(Person, ["id_number", "name", "sex", "birth_date", "region_code"], new)

    # -- organisations --------------------------------------------------------------------

    def _committees(self) -> tuple[PartyOrganisation, dict[str, PartyOrganisation]]:
        county_name = self.villages[0].county_name
        committee = PartyOrganisation.objects.create(
            kind=OrganisationKind.COMMITTEE,
            name=f"中共{county_name}委员会",
            region_code=self.county,
            founded_on=datetime.date(1949, 6, 1),
        )
        townships: dict[str, PartyOrganisation] = {}
        names = dict(
            Region.objects.filter(code__in={v.code[:9] for v in self.villages}).values_list(
                "code", "name"
            )
        )
        for code in sorted(names):
            townships[code] = PartyOrganisation(
                kind=OrganisationKind.COMMITTEE,
                name=f"中共{names[code]}委员会",
                region_code=code,
                parent=committee,
                founded_on=datetime.date(1984, 1, 1),
            )
        PartyOrganisation.objects.bulk_create(townships.values())
        return committee, townships

    def _village_branches(self, townships) -> dict[str, PartyOrganisation]:
        branches = {}
        for village in self.villages:
            general = self.rng.random() < 0.08
            kind = OrganisationKind.GENERAL_BRANCH if general else OrganisationKind.BRANCH
            suffix = "党总支" if general else "党支部"
            branches[village.code] = PartyOrganisation(
                kind=kind,
                name=f"中共{_short(village.name)}{suffix}",
                region_code=village.code,
                parent=townships[village.code[:9]],
                founded_on=datetime.date(self.rng.randrange(1950, 1990), 7, 1),
            )
        PartyOrganisation.objects.bulk_create(branches.values())
        return branches

    # -- members ------------------------------------------------------------------------------

    def _register_adults(self) -> dict[str, list[int]]:
        """The keys of the register's adults of each village: a county has a hundred
        thousand people and only a few thousand are taken."""
        adults: dict[str, list[int]] = defaultdict(list)
        cutoff = self.as_of - datetime.timedelta(days=int(25 * 365.25))
        people = Person.objects.filter(
            codes.within("region_code", self.county), birth_date__lte=cutoff
        ).order_by("pk")
        for pk, region in people.values_list("pk", "region_code"):
            adults[region].append(pk)
        return adults

    def _members(self, branches) -> dict[str, list[PartyMember]]:
        rng = self.rng
        adults = self._register_adults()
        chosen: dict[str, list[int]] = {}
        counts: dict[str, int] = {}
        for village in self.villages:
            counts[village.code] = count = rng.randint(*MEMBERS_PER_BRANCH)
            local = adults.get(village.code, [])
            chosen[village.code] = rng.sample(local, min(len(local), count // 4))
        known = Person.objects.in_bulk([pk for pks in chosen.values() for pk in pks])
        drafts: dict[str, list[PartyMember]] = {}
        for village in self.villages:
            people = [known[pk] for pk in chosen[village.code]]
            while len(people) < counts[village.code]:
                people.append(self.people.new(village.code, _member_age(rng), rng.random() > 0.28))
            branch = branches[village.code]
            drafts[village.code] = [self._member(person, branch) for person in people]
        self._write_people()
        for members in drafts.values():
            for member in members:
                member.person = member.person  # its key, now that the person is written
        everyone = [m for ms in drafts.values() for m in ms]
        _write(PartyMember, MEMBER_FIELDS, everyone)
        self.counts["members"] += len(everyone)
        return drafts

    def _member(self, person: Person, branch: PartyOrganisation, full: bool = False) -> PartyMember:
        """A member of `branch`; `full`: a full member of at least a year's standing."""
        rng = self.rng
        age = (self.as_of - person.birth_date).days // 365
        probationary = not full and age < 40 and rng.random() < 0.12
        if probationary:
            joined = self.as_of - datetime.timedelta(days=rng.randrange(30, 360))
        else:
            joined_age = rng.randint(20, max(20, min(age - 1, 55)))
            joined = person.birth_date + datetime.timedelta(days=int(joined_age * 365.25) + 30)
            joined = min(joined, self.as_of - datetime.timedelta(days=400))
        if age >= 75 and rng.random() < 0.6:
            category = MemberCategory.ELDERLY_INFIRM
        elif 25 <= age <= 50 and rng.random() < 0.3:
            category = MemberCategory.MIGRANT
        else:
            category = MemberCategory.RESIDENT
        return PartyMember(
            person=person,
            branch=branch,
            joined_on=joined,
            standing=MemberStanding.PROBATIONARY if probationary else MemberStanding.FULL,
            category=category,
        )

    # -- host entities ------------------------------------------------------------------------

    def _hosts(self, townships, branches) -> list[_Hosted]:
        rng = self.rng
        county = self.county
        entities: list[HostEntity] = []
        for village in self.villages:
            if rng.random() < COOPERATIVES_PER_VILLAGE:
                industry = rng.choice(INDUSTRIES)
                entities.append(
                    self._entity(
                        HostKind.COOPERATIVE,
                        f"{village.county_name}{_short(village.name)}{industry}专业合作社",
                        village.code,
                        industry,
                        credit_code(rng, county, "93"),
                        int(rng.lognormvariate(3.2, 0.8)) + 5,
                    )
                )
            if rng.random() < 0.06:
                entities.append(
                    self._entity(
                        HostKind.ENTERPRISE,
                        f"{village.county_name}{_short(village.name)}{rng.choice(ENTERPRISE_KINDS)}",
                        village.code,
                        rng.choice(INDUSTRIES),
                        credit_code(rng, county, "91"),
                        int(rng.lognormvariate(3.5, 0.9)) + 8,
                    )
                )
            if rng.random() < 0.02:
                entities.append(
                    self._entity(
                        HostKind.SOCIAL_ORGANISATION,
                        f"{_short(village.name)}{rng.choice(SOCIAL_KINDS)}",
                        village.code,
                        "",
                        credit_code(rng, county, "52"),
                        rng.randint(10, 80),
                    )
                )
        county_name = self.villages[0].county_name
        for industry in ASSOCIATIONS:
            entities.append(
                self._entity(
                    HostKind.ASSOCIATION,
                    f"{county_name}{industry}行业协会",
                    county,
                    industry,
                    credit_code(rng, county, "51"),
                    rng.randint(30, 200),
                )
            )
        projects = []
        for product in CHAIN_PROJECTS:
            township = rng.choice(sorted(townships))
            spanned = sorted(
                rng.sample([v.code for v in self.villages if v.code.startswith(township)], 4)
            )
            entity = self._entity(
                HostKind.CHAIN_PROJECT,
                f"{county_name}{product}产业链项目",
                common_region(spanned),
                product,
                "",
                rng.randint(80, 400),
            )
            entities.append(entity)
            projects.append((entity, spanned))
        HostEntity.objects.bulk_create(entities)
        HostEntityVillage.objects.bulk_create(
            HostEntityVillage(entity=entity, region_code=code)
            for entity, spanned in projects
            for code in spanned
        )
        self.counts["host_entities"] = len(entities)
        spans = {id(entity): villages for entity, villages in projects}
        all_codes = [v.code for v in self.villages]

        def villages_of(entity: HostEntity) -> list[str]:
            if id(entity) in spans:
                return spans[id(entity)]
            if len(entity.region_code) == 12:
                return [entity.region_code]
            return [code for code in all_codes if code.startswith(entity.region_code)]

        return self._host_organisations(entities, townships, villages_of)

    def _entity(self, kind, name, region, industry, number, size) -> HostEntity:
        rng = self.rng
        instructor = ""
        if rng.random() < 0.3:
            instructor = _SURNAMES.pick(rng.random) + rng.choice(_GIVEN[(True, True)])
        last_activity = None
        if rng.random() < 0.35:
            last_activity = self.as_of - datetime.timedelta(days=rng.randrange(10, 700))
        return HostEntity(
            kind=kind,
            name=name,
            region_code=region,
            registration_number=number,
            industry=industry,
            size=size,
            founded_year=rng.randint(2008, self.as_of.year - 1),
            instructor=instructor,
            last_activity_on=last_activity,
        )

    def _host_organisations(
        self, entities: list[HostEntity], townships, villages_of
    ) -> list[_Hosted]:
        """Own branches in the larger entities, a joint branch per some townships for
        small cooperatives, and one branch dissolved (its entity no longer covered); with
        the villages their members live in."""
        rng = self.rng
        own: list[PartyOrganisation] = []
        hosted: list[_Hosted] = []
        small_by_township: dict[str, list[HostEntity]] = defaultdict(list)
        for entity in entities:
            large = entity.size >= 50 or entity.kind == HostKind.CHAIN_PROJECT
            if large and rng.random() < 0.55:
                parent = townships.get(entity.region_code[:9]) or townships[min(townships)]
                if len(entity.region_code) == 6:
                    parent = parent.parent
                own.append(
                    PartyOrganisation(
                        kind=OrganisationKind.BRANCH,
                        name=f"中共{entity.name}支部委员会",
                        region_code=entity.region_code,
                        parent=parent,
                        host_entity=entity,
                        founded_on=datetime.date(max(entity.founded_year or 2015, 2012), 7, 1),
                    )
                )
                wide = entity.kind in (HostKind.CHAIN_PROJECT, HostKind.ASSOCIATION)
                hosted.append(_Hosted(own[-1], villages_of(entity), large=wide))
            elif entity.kind == HostKind.COOPERATIVE and entity.size < 50:
                small_by_township[entity.region_code[:9]].append(entity)
        PartyOrganisation.objects.bulk_create(own)
        joint_count = 0
        for township, smalls in sorted(small_by_township.items()):
            if len(smalls) < 3 or rng.random() > 0.5:
                continue
            covered = rng.sample(smalls, min(len(smalls), rng.randint(3, 6)))
            joint = PartyOrganisation.objects.create(
                kind=OrganisationKind.JOINT_BRANCH,
                name=f"中共{townships[township].name[2:-3]}农民专业合作社联合支部委员会",
                region_code=township,
                parent=townships[township],
                founded_on=datetime.date(2019, 7, 1),
            )
            joint.covered_entities.set(covered)
            joint_count += 1
            villages = sorted({code for entity in covered for code in villages_of(entity)})
            hosted.append(_Hosted(joint, villages, joint=True))
        if own:
            dissolved = own[0]
            hosted[0].dissolved_on = self.as_of - datetime.timedelta(days=200)
            OrganisationStatusChange.objects.create(
                organisation=dissolved,
                changed_on=hosted[0].dissolved_on,
                from_status=OrganisationStatus.ACTIVE,
                to_status=OrganisationStatus.DISSOLVED,
                reason="依托合作社停止经营，党员不足三人",
                decided_by=self._body(dissolved.region_code),
            )
            PartyOrganisation.objects.filter(pk=dissolved.pk).update(
                status=OrganisationStatus.DISSOLVED
            )
            dissolved.status = OrganisationStatus.DISSOLVED
        self.counts["host_organisations"] = len(own)
        self.counts["joint_branches"] = joint_count
        return hosted

    # -- members of host organisations and transfers --------------------------------------

    def _transfer(self, member, from_branch, to_branch, day: datetime.date, reason: str) -> None:
        """The row the transfer form writes (`services_members.do_transfer_member`)."""
        self.transfers.append(
            MemberTransfer(
                member=member,
                from_branch=from_branch,
                to_branch=to_branch,
                transferred_on=day,
                reason=reason,
                recorded_by=self._body(to_branch.region_code),
            )
        )

    def _host_members(self, hosted: list[_Hosted], branches) -> None:
        """Three to a dozen members in every active host organisation, the first of them
        its secretary; those who joined the party before the branch was founded mostly
        came from their village's branch when it was."""
        rng = self.rng
        drafts: list[PartyMember] = []
        secretaries: list[PartyOrganisation] = []
        for item in hosted:
            organisation = item.organisation
            if not organisation.is_active:
                continue
            if item.joint:
                low, high = MEMBERS_PER_JOINT_BRANCH
            else:
                low, high = MEMBERS_PER_LARGE_HOST_BRANCH if item.large else MEMBERS_PER_HOST_BRANCH
            for index in range(rng.randint(low, high)):
                village = rng.choice(item.villages)
                age = min(65, max(26, _member_age(rng)))
                person = self.people.new(village, age, rng.random() > 0.3)
                # The secretary and two more are full members: a branch needs three.
                member = self._member(person, organisation, full=index < 3)
                member.category = MemberCategory.RESIDENT
                if index == 0:
                    member.posts = "联合党支部书记" if item.joint else "党支部书记"
                    organisation.secretary = person
                    secretaries.append(organisation)
                drafts.append(member)
                founded = organisation.founded_on
                if member.joined_on < founded <= self.as_of and rng.random() < 0.75:
                    day = min(founded + datetime.timedelta(days=rng.randrange(60)), self.as_of)
                    kind = "联合党支部" if item.joint else "党支部"
                    reason = f"组建{kind}，组织关系转入"
                    self._transfer(member, branches[village], organisation, day, reason)
        self._write_people()
        for member in drafts:
            member.person = member.person
        for organisation in secretaries:
            organisation.secretary = organisation.secretary
        _write(PartyMember, MEMBER_FIELDS, drafts)
        PartyOrganisation.objects.bulk_update(secretaries, ["secretary"])
        self.counts["members"] += len(drafts)

    def _moves(self, branches, members: dict[str, list[PartyMember]], hosted) -> None:
        """A few percent of the village members came from another village's branch
        (some had moved once before), and the dissolved branch's last members went back
        to their village's branch; then every transfer is written."""
        rng = self.rng
        codes_by_township: dict[str, list[str]] = defaultdict(list)
        for village in self.villages:
            codes_by_township[village.code[:9]].append(village.code)
        all_codes = [v.code for v in self.villages]

        def elsewhere(code: str) -> str:
            pool = codes_by_township[code[:9]] if rng.random() < 0.7 else all_codes
            other = rng.choice(pool)
            return other if other != code else rng.choice(all_codes)

        def day_between(first: datetime.date, last: datetime.date) -> datetime.date | None:
            if first > last:
                return None
            span = min((last - first).days, 3650)  # within the last ten years
            return last - datetime.timedelta(days=rng.randint(0, span))

        latest = self.as_of - datetime.timedelta(days=14)
        month = datetime.timedelta(days=30)
        for village in self.villages:
            here = branches[village.code]
            for member in members[village.code]:
                if rng.random() >= MOVED_SHARE:
                    continue
                came_from = branches[elsewhere(village.code)]
                if came_from is here:
                    continue
                first = max(member.joined_on, came_from.founded_on, here.founded_on) + month
                day = day_between(first, latest)
                if day is None:
                    continue
                if rng.random() < MOVED_TWICE_SHARE:
                    before = branches[elsewhere(came_from.region_code)]
                    earlier = day_between(
                        max(member.joined_on, before.founded_on) + month, day - 2 * month
                    )
                    if before not in (came_from, here) and earlier is not None:
                        self._transfer(member, before, came_from, earlier, rng.choice(MOVE_REASONS))
                self._transfer(member, came_from, here, day, rng.choice(MOVE_REASONS))
        # The dissolved branch had two members left: in at its founding, back on dissolving.
        for item in hosted:
            if item.dissolved_on is None:
                continue
            organisation = item.organisation
            home = branches[item.villages[0]]
            moved = {id(transfer.member) for transfer in self.transfers}
            found = [
                m
                for m in members[home.region_code]
                if m.joined_on < organisation.founded_on and id(m) not in moved
            ]
            if organisation.founded_on >= item.dissolved_on:
                found = []
            for member in rng.sample(found, min(2, len(found))):
                self._transfer(
                    member, home, organisation, organisation.founded_on, "组建党支部，组织关系转入"
                )
                self._transfer(
                    member, organisation, home, item.dissolved_on, "所在党支部撤销，组织关系转回"
                )
        for transfer in self.transfers:
            transfer.member = transfer.member  # their keys, now that they are written
        _write(
            MemberTransfer,
            [
                "member_id",
                "from_branch_id",
                "to_branch_id",
                "transferred_on",
                "reason",
                "recorded_by",
            ],
            self.transfers,
        )
        self.counts["transfers"] = len(self.transfers)

    # -- two committees -----------------------------------------------------------------------

    def _committees_of_villages(self, members: dict[str, list[PartyMember]], branches) -> None:
        """The two committees elected in every village: the party committee (secretary,
        deputy and one to three members; five to seven in a general branch) of full
        resident members, never a migrant or elderly one; the villagers' committee with
        at least one woman, members or not. The posts are written on the members."""
        rng = self.rng
        elections = [
            Election(
                region_code=village.code,
                held_on=LAST_ELECTION + datetime.timedelta(days=rng.randrange(0, 40)),
                kind=ElectionKind.GENERAL,
            )
            for village in self.villages
        ]
        Election.objects.bulk_create(elections)
        posts: list[CommitteePost] = []
        late: list[PartyMember] = []  # members made for a party post nobody could fill
        for village, election in zip(self.villages, elections, strict=True):
            branch = branches[village.code]
            candidates = [
                m
                for m in members[village.code]
                if 28 <= (self.as_of - m.person.birth_date).days // 365 <= 62
                and m.standing == MemberStanding.FULL
                and m.category == MemberCategory.RESIDENT
            ]
            rng.shuffle(candidates)

            def post(kind, person, source=HolderSource.OTHER, e=election, v=village):
                posts.append(
                    CommitteePost(
                        region_code=v.code,
                        kind=kind,
                        person=person,
                        education=_weighted(rng, EDUCATION_OF_HOLDERS),
                        source=source,
                        started_on=e.held_on,
                        election=e,
                    )
                )

            def someone(
                female: bool = False,
                member: bool = True,
                party_post: bool = False,
                c=candidates,
                v=village,
                b=branch,
            ) -> Person:
                """A candidate of the sex wanted; for a party post anyone of them, or a
                new resident member when the branch has no one left."""
                wanted = registry_choices.Sex.FEMALE if female else registry_choices.Sex.MALE
                if member or party_post:
                    for index in range(len(c) - 1, -1, -1):
                        if c[index].person.sex == wanted:
                            return c.pop(index).person
                if party_post and c:
                    return c.pop().person
                person = self.people.new(v.code, rng.randint(30, 58), not female)
                if party_post:
                    made = self._member(person, b, full=True)
                    made.category = MemberCategory.RESIDENT
                    members[v.code].append(made)
                    late.append(made)
                return person

            secretary_source = _weighted(rng, SECRETARY_SOURCES)
            if rng.random() < 0.82:
                post(
                    CommitteePostKind.SECRETARY_AND_CHAIR,
                    someone(party_post=True),
                    secretary_source,
                )
            else:
                post(CommitteePostKind.SECRETARY, someone(party_post=True), secretary_source)
                post(CommitteePostKind.CHAIR, someone(member=rng.random() < 0.5))
            post(CommitteePostKind.DEPUTY_SECRETARY, someone(party_post=True))
            general = branch.kind == OrganisationKind.GENERAL_BRANCH
            for _ in range(rng.randint(3, 5) if general else rng.randint(1, 3)):
                post(
                    CommitteePostKind.PARTY_COMMITTEE_MEMBER,
                    someone(female=rng.random() < 0.2, party_post=True),
                )
            # At least one woman in every village's committees, as the rules require.
            post(
                CommitteePostKind.VILLAGE_COMMITTEE_MEMBER,
                someone(female=True, member=rng.random() < 0.5),
            )
            for _ in range(rng.randint(0, 2)):
                post(
                    CommitteePostKind.VILLAGE_COMMITTEE_MEMBER,
                    someone(female=rng.random() < 0.15, member=rng.random() < 0.5),
                )
        self._write_people()
        for member in late:
            member.person = member.person
        _write(PartyMember, MEMBER_FIELDS, late)
        self.counts["members"] += len(late)
        for item in posts:
            item.person = item.person
        CommitteePost.objects.bulk_create(posts)
        self.counts["committee_posts"] = len(posts)
        self.counts["elections"] = len(elections)
        self._posts_held(posts, members, branches)
        secretaries = {
            p.region_code: p.person_id
            for p in posts
            if p.kind in (CommitteePostKind.SECRETARY, CommitteePostKind.SECRETARY_AND_CHAIR)
        }
        branches = PartyOrganisation.objects.filter(
            region_code__in=list(secretaries), host_entity__isnull=True
        )
        for branch in branches:
            branch.secretary_id = secretaries[branch.region_code]
        PartyOrganisation.objects.bulk_update(branches, ["secretary"])

    def _posts_held(self, posts: list[CommitteePost], members, branches) -> None:
        """'Posts held' of the members who hold a two-committee post, in the words of the
        village's own organisation (村党支部书记, 社区党总支委员, 村委会委员…)."""
        by_person = {m.person_id: m for ms in members.values() for m in ms}
        held: dict[int, list[str]] = defaultdict(list)
        for item in posts:
            if item.person_id in by_person:
                branch = branches[item.region_code]
                general = branch.kind == OrganisationKind.GENERAL_BRANCH
                label = _post_label(item.kind, general, "社区" in branch.name)
                held[item.person_id].append(label)
        changed = []
        for person_id, labels in held.items():
            member = by_person[person_id]
            member.posts = "、".join(labels)[:200]
            changed.append(member)
        PartyMember.objects.bulk_update(changed, ["posts"], batch_size=2000)

    # -- 党员联户 ------------------------------------------------------------------------------

    def _links(self, members: dict[str, list[PartyMember]]) -> None:
        rng = self.rng
        households = Household.objects.filter(codes.within("village_id", self.county))
        monitored = set(
            MonitoringCase.objects.filter(
                household__in=households, status=registry_choices.CaseStatus.MONITORED
            ).values_list("household_id", flat=True)
        )
        in_household = set(
            Member.objects.filter(household__in=households).values_list("person_id", flat=True)
        )
        links = []
        for pk, village in households.order_by("pk").values_list("pk", "village_id"):
            share = 0.95 if pk in monitored else 0.72
            if rng.random() >= share:
                continue
            linkers = [
                m
                for m in members.get(village, [])
                if m.category == MemberCategory.RESIDENT and m.person_id not in in_household
            ] or members.get(village, [])
            if not linkers:
                continue
            member = rng.choice(linkers)
            started = max(
                member.joined_on, datetime.date(2021, 1, 1) + datetime.timedelta(rng.randrange(900))
            )
            links.append(
                HouseholdLink(member=member, household_id=pk, started_on=min(started, self.as_of))
            )
        _write(HouseholdLink, ["member_id", "household_id", "started_on"], links)
        self.counts["household_links"] = len(links)
