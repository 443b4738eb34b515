"""Demo data of the party organisation system over the real villages of a county,
reproducible from a seed and the reference date.

For the county: its party committee, a committee in every township, a branch (a general
branch in the largest villages) in every village; a few hundred farmer cooperatives,
some with their own branch, some covered by a township's joint branch, one whose branch
was dissolved; county industry associations, industry-chain projects spanning villages,
enterprises and social organisations; 15–40 members in every village branch, with
realistic ages and some migrant, elderly and probationary members; members linked with
the register's households (党员联户), the monitored ones first; the two committees of
every village with their general election.

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
from django.utils import timezone

from baolei.audit import services as audit
from baolei.audit.models import Action
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
    OrganisationStatusChange,
    PartyMember,
    PartyOrganisation,
)
from baolei.organisation.services import CREDIT_CHARACTERS, common_region, credit_check_character
from baolei.regions import codes
from baolei.regions.models import Region
from baolei.registry import choices as registry_choices
from baolei.registry.models import Household, Member, MonitoringCase, Person
from baolei.registry.synthetic import _taken_ids, load_villages
from baolei.registry.synthetic_people import IdNumbers
from baolei.registry.synthetic_vocabulary import _GIVEN, _SURNAMES

MEMBERS_PER_BRANCH = (15, 40)
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
    "host_entities",
    "host_organisations",
    "joint_branches",
    "committee_posts",
    "elections",
    "household_links",
    "people_created",
    "organisations",
)


def _weighted(rng: random_module.Random, pairs) -> object:
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights)[0]


def _short(village_name: str) -> str:
    """山川台社区居委会 → 山川台社区, 龙港村委会 → 龙港村."""
    for suffix in ("居民委员会", "村民委员会", "居委会", "村委会", "委员会"):
        if village_name.endswith(suffix):
            return village_name[: -len(suffix)]
    return village_name


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
    as_of = as_of or timezone.localdate()
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

    def run(self) -> dict[str, int]:
        _committee, townships = self._committees()
        branches = self._village_branches(townships)
        self.progress("organisations")
        members = self._members(branches)
        self.progress("members")
        self._hosts(townships, branches)
        self.progress("host entities")
        self._committees_of_villages(members)
        self.progress("two committees")
        self._links(members)
        self.progress("household links")
        self.counts["people_created"] = len(self.people.made)
        self.counts["organisations"] = PartyOrganisation.objects.filter(
            codes.within("region_code", self.county)
        ).count()
        return dict(self.counts)

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
        _write(
            PartyMember, ["person_id", "branch_id", "joined_on", "standing", "category"], everyone
        )
        self.counts["members"] = sum(len(ms) for ms in drafts.values())
        return drafts

    def _member(self, person: Person, branch: PartyOrganisation) -> PartyMember:
        rng = self.rng
        age = (self.as_of - person.birth_date).days // 365
        probationary = age < 40 and rng.random() < 0.12
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

    def _hosts(self, townships, branches) -> None:
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
        self._host_organisations(entities, townships)

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

    def _host_organisations(self, entities: list[HostEntity], townships) -> None:
        """Own branches in the larger entities, a joint branch per some townships for
        small cooperatives, and one branch dissolved (its entity no longer covered)."""
        rng = self.rng
        own: list[PartyOrganisation] = []
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
        if own:
            dissolved = own[0]
            OrganisationStatusChange.objects.create(
                organisation=dissolved,
                changed_on=self.as_of - datetime.timedelta(days=200),
                from_status=OrganisationStatus.ACTIVE,
                to_status=OrganisationStatus.DISSOLVED,
                reason="依托合作社停止经营，党员不足三人",
                decided_by="synthetic",
            )
            PartyOrganisation.objects.filter(pk=dissolved.pk).update(
                status=OrganisationStatus.DISSOLVED
            )
        self.counts["host_organisations"] = len(own)
        self.counts["joint_branches"] = joint_count

    # -- two committees -----------------------------------------------------------------------

    def _committees_of_villages(self, members: dict[str, list[PartyMember]]) -> None:
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
        for village, election in zip(self.villages, elections, strict=True):
            candidates = [
                m.person
                for m in members[village.code]
                if 28 <= (self.as_of - m.person.birth_date).days // 365 <= 62
                and m.standing == MemberStanding.FULL
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

            def someone(female: bool = False, member: bool = True, c=candidates, v=village):
                wanted = registry_choices.Sex.FEMALE if female else registry_choices.Sex.MALE
                for index in range(len(c) - 1, -1, -1):
                    if member and c[index].sex == wanted:
                        return c.pop(index)
                return self.people.new(v.code, rng.randint(30, 58), not female)

            secretary_source = _weighted(rng, SECRETARY_SOURCES)
            if rng.random() < 0.82:
                post(CommitteePostKind.SECRETARY_AND_CHAIR, someone(), secretary_source)
            else:
                post(CommitteePostKind.SECRETARY, someone(), secretary_source)
                post(CommitteePostKind.CHAIR, someone(member=rng.random() < 0.5))
            post(CommitteePostKind.DEPUTY_SECRETARY, someone())
            # At least one woman in every village's committees, as the rules require.
            post(
                CommitteePostKind.VILLAGE_COMMITTEE_MEMBER,
                someone(female=True, member=rng.random() < 0.5),
            )
            for _ in range(rng.randint(1, 3)):
                kind = rng.choice(
                    (
                        CommitteePostKind.PARTY_COMMITTEE_MEMBER,
                        CommitteePostKind.VILLAGE_COMMITTEE_MEMBER,
                    )
                )
                elected_member = kind == CommitteePostKind.PARTY_COMMITTEE_MEMBER
                post(
                    kind,
                    someone(
                        female=rng.random() < 0.15, member=elected_member or rng.random() < 0.5
                    ),
                )
        self._write_people()
        for item in posts:
            item.person = item.person
        CommitteePost.objects.bulk_create(posts)
        self.counts["committee_posts"] = len(posts)
        self.counts["elections"] = len(elections)
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
