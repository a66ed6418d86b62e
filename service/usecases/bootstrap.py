"""Start-up chores: the first administrator and the demo data set."""

from __future__ import annotations

from datetime import date

from models.tables import AppUser, Enterprise, Program
from service.auth import BAR_ADMIN, ENTERPRISE, LAWYER
from service.domain.credit_code import check_character
from service.schemas import (
    AvailabilityIn,
    EnterpriseCreate,
    LawyerCreate,
    ProgramCreate,
    RuleIn,
    UserCreate,
)
from service.usecases.availability import replace_rules
from service.usecases.enrolments import enrol
from service.usecases.enterprises import create_enterprise
from service.usecases.lawyers import create_lawyer
from service.usecases.programs import create_program
from service.usecases.users import admin_exists, create_user

SYSTEM = "system"
DEMO_ADMIN = ("admin@probono.demo", "demo-admin-2027")
DEMO_PROGRAM_NAME = "Demo district SME legal aid programme"


def demo_credit_code(serial: int) -> str:
    first_seventeen = f"91110105MA{serial:07d}"
    return first_seventeen + check_character(first_seventeen)


DEMO_ENTERPRISES = [
    ("星火科技有限公司 Spark Tech Co.", "Li Wei", "contact@spark.demo", "enterprise@spark.demo"),
    (
        "青禾食品有限公司 Green Grain Foods",
        "Wang Fang",
        "contact@greengrain.demo",
        "enterprise@greengrain.demo",
    ),
]
DEMO_ENTERPRISE_PASSWORD = "demo-enterprise-2027"
DEMO_LAWYERS = [
    (
        "张律师 Zhang",
        "lawyer.zhang@probono.demo",
        "11101201910000001",
        ["trademark", "contract"],
        ["zh", "en"],
    ),
    (
        "Emma Lee",
        "lawyer.lee@probono.demo",
        "11101201910000002",
        ["labour", "data_compliance", "corporate"],
        ["en", "zh"],
    ),
]
DEMO_LAWYER_PASSWORD = "demo-lawyer-2027"
DEMO_HOURS = [
    RuleIn(rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", start="09:00", end="12:00"),
    RuleIn(rrule="FREQ=WEEKLY;BYDAY=TU,TH", start="14:00", end="17:00"),
]


async def ensure_admin(email: str, password: str) -> bool:
    """Create the first bar_admin unless one exists; True when one was created."""
    if await admin_exists():
        return False
    await create_user(SYSTEM, UserCreate(email=email, password=password, role=BAR_ADMIN))
    return True


async def seed_demo_data(today: date) -> list[tuple[str, str, str]]:
    """Seed once; returns the demo logins as (role, e-mail, password)."""
    logins = [(BAR_ADMIN, *DEMO_ADMIN)]
    logins += [(ENTERPRISE, login, DEMO_ENTERPRISE_PASSWORD) for *_, login in DEMO_ENTERPRISES]
    logins += [(LAWYER, email, DEMO_LAWYER_PASSWORD) for _, email, *_ in DEMO_LAWYERS]
    if await Program.exists().where(Program.name == DEMO_PROGRAM_NAME):
        return logins
    if not await AppUser.exists().where(AppUser.email == DEMO_ADMIN[0]):
        await create_user(
            SYSTEM, UserCreate(email=DEMO_ADMIN[0], password=DEMO_ADMIN[1], role=BAR_ADMIN)
        )
    program = await create_program(
        SYSTEM,
        ProgramCreate(
            name=DEMO_PROGRAM_NAME,
            starts_on=date(today.year, 1, 1),
            ends_on=date(today.year + 1, 12, 31),
            mailbox="programme@probono.demo",
        ),
    )
    for serial, (name, contact, contact_email, login) in enumerate(DEMO_ENTERPRISES, start=1):
        if await Enterprise.exists().where(Enterprise.credit_code == demo_credit_code(serial)):
            continue
        enterprise = await create_enterprise(
            SYSTEM,
            EnterpriseCreate(
                name=name,
                credit_code=demo_credit_code(serial),
                contact_name=contact,
                contact_email=contact_email,
                district="Chaoyang",
            ),
        )
        await enrol(SYSTEM, program.id, enterprise.id)
        await create_user(
            SYSTEM,
            UserCreate(
                email=login,
                password=DEMO_ENTERPRISE_PASSWORD,
                role=ENTERPRISE,
                enterprise_id=enterprise.id,
            ),
        )
    for name, email, license_no, areas, languages in DEMO_LAWYERS:
        lawyer = await create_lawyer(
            SYSTEM,
            LawyerCreate(
                name=name,
                email=email,
                license_no=license_no,
                firm="Demo Pro Bono LLP",
                practice_areas=areas,
                languages=languages,
                buffer_minutes=15,
            ),
        )
        await replace_rules(SYSTEM, lawyer.id, AvailabilityIn(rules=DEMO_HOURS))
        await create_user(
            SYSTEM,
            UserCreate(
                email=email, password=DEMO_LAWYER_PASSWORD, role=LAWYER, lawyer_id=lawyer.id
            ),
        )
    return logins
