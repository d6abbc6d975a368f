"""The demo world's organisations and people: real agencies of the region, their units at real
border crossing points and ports, and one account per persona the issues talk about."""

from dataclasses import dataclass

from django.db import transaction

from kordon.access.audit import audit_log
from kordon.core.models import Agency, Membership, Place, Role, Unit, User


@dataclass(frozen=True)
class DemoAgency:
    code: str
    country: str
    kind: str
    short: str
    name: str
    name_ru: str


@dataclass(frozen=True)
class DemoUnit:
    code: str
    agency: str
    kind: str
    place: str | None
    name: str
    name_ru: str


@dataclass(frozen=True)
class DemoAccount:
    username: str
    unit: str | None
    role: str | None
    first_name: str
    last_name: str
    description: str


AGENCIES = (
    DemoAgency(
        "KG-DCS",
        "KG",
        "drug_control",
        "СБНОН",
        "Drug Control Service of the Ministry of Internal Affairs",
        "Служба по борьбе с незаконным оборотом наркотиков МВД Кыргызской Республики",
    ),
    DemoAgency(
        "KG-CUSTOMS",
        "KG",
        "customs",
        "ГТС",
        "State Customs Service",
        "Государственная таможенная служба Кыргызской Республики",
    ),
    DemoAgency(
        "KG-BORDER",
        "KG",
        "border",
        "ПС ГКНБ",
        "Border Service of the State Committee for National Security",
        "Пограничная служба ГКНБ Кыргызской Республики",
    ),
    DemoAgency(
        "KG-PRISON",
        "KG",
        "prison",
        "ГСИН",
        "State Penitentiary Service",
        "Государственная служба исполнения наказаний Кыргызской Республики",
    ),
    DemoAgency(
        "UZ-CUSTOMS",
        "UZ",
        "customs",
        "ГТК",
        "State Customs Committee",
        "Государственный таможенный комитет Республики Узбекистан",
    ),
    DemoAgency(
        "UZ-NIAC",
        "UZ",
        "drug_control",
        "НИАЦ",
        "National Information and Analytical Centre on Drug Control",
        "Национальный информационно-аналитический центр по контролю за наркотиками",
    ),
    DemoAgency(
        "TJ-DCA",
        "TJ",
        "drug_control",
        "АКН",
        "Drug Control Agency under the President",
        "Агентство по контролю за наркотиками при Президенте Республики Таджикистан",
    ),
    DemoAgency(
        "TJ-CUSTOMS",
        "TJ",
        "customs",
        "ТС",
        "Customs Service under the Government",
        "Таможенная служба при Правительстве Республики Таджикистан",
    ),
    DemoAgency(
        "KZ-CUSTOMS",
        "KZ",
        "customs",
        "КГД",
        "State Revenue Committee (customs)",
        "Комитет государственных доходов Министерства финансов Республики Казахстан",
    ),
    DemoAgency(
        "UZ-GP",
        "UZ",
        "prosecution",
        "Генпрокуратура",
        "General Prosecutor's Office",
        "Генеральная прокуратура Республики Узбекистан",
    ),
    DemoAgency(
        "KZ-SHELTER",
        "KZ",
        "ngo",
        "Кризисный центр",
        "Crisis centre for victims of trafficking, Almaty",
        "Кризисный центр для пострадавших от торговли людьми, Алматы",
    ),
    DemoAgency(
        "KZ-HEALTH",
        "KZ",
        "health",
        "Поликлиника № 5",
        "City polyclinic No. 5, Almaty",
        "Городская поликлиника № 5, Алматы",
    ),
    DemoAgency(
        "KZ-LEGALAID",
        "KZ",
        "ngo",
        "Правовая помощь",
        "Legal aid centre (NGO), Almaty",
        "Центр правовой помощи (НПО), Алматы",
    ),
    DemoAgency(
        "UNODC-ROCA",
        "UZ",
        "international",
        "УНП ООН",
        "UNODC Regional Office for Central Asia",
        "Региональное представительство УНП ООН в Центральной Азии",
    ),
    DemoAgency(
        "KZ-MVD",
        "KZ",
        "drug_control",
        "МВД",
        "Ministry of Internal Affairs, Counter-Narcotics Department",
        "Департамент по противодействию наркопреступности МВД Республики Казахстан",
    ),
    DemoAgency(
        "TM-DRUG",
        "TM",
        "drug_control",
        "ГСКН",
        "State Service for Combating Drugs",
        "Государственная служба Туркменистана по борьбе с наркотиками",
    ),
    DemoAgency(
        "TM-CUSTOMS",
        "TM",
        "customs",
        "ГТС",
        "State Customs Service",
        "Государственная таможенная служба Туркменистана",
    ),
    DemoAgency(
        "AF-CNPA",
        "AF",
        "police",
        "CNPA",
        "Counter Narcotics Police of Afghanistan",
        "Контрнаркотическая полиция Афганистана",
    ),
)

UNITS = (
    DemoUnit(
        "kg-dcs-blo-dostuk", "KG-DCS", "blo", "KG-DOSTUK", "Border Liaison Office Dostuk", "ПОГС «Достук»"
    ),
    DemoUnit(
        "kg-dcs-analysis",
        "KG-DCS",
        "analysis",
        None,
        "Analysis unit (Bishkek)",
        "Информационно-аналитический отдел (Бишкек)",
    ),
    DemoUnit(
        "kg-dcs-osh",
        "KG-DCS",
        "investigation",
        "KG-OSH-APT",
        "Osh regional department",
        "Ошское областное управление",
    ),
    DemoUnit(
        "kg-customs-ak-jol",
        "KG-CUSTOMS",
        "other",
        "KG-AK-JOL",
        "Customs post Ak-Jol",
        "Таможенный пост «Ак-Жол»",
    ),
    DemoUnit(
        "kg-border-torugart",
        "KG-BORDER",
        "other",
        "KG-TORUGART",
        "Border post Torugart",
        "Пограничный пункт «Торугарт»",
    ),
    DemoUnit(
        "kg-prison-hq",
        "KG-PRISON",
        "headquarters",
        None,
        "Security department, headquarters",
        "Управление режима и безопасности, центральный аппарат",
    ),
    DemoUnit(
        "kg-prison-ik47",
        "KG-PRISON",
        "prison",
        None,
        "Correctional colony No. 47",
        "Исправительная колония № 47",
    ),
    DemoUnit(
        "uz-customs-blo-dustlik",
        "UZ-CUSTOMS",
        "blo",
        "UZ-DUSTLIK",
        "Border Liaison Office Dustlik",
        "ПОГС «Дустлик»",
    ),
    DemoUnit(
        "uz-customs-ayritom",
        "UZ-CUSTOMS",
        "blo",
        "UZ-AYRITOM",
        "Border Liaison Office Ayritom (Termez)",
        "ПОГС «Айритом» (Термез)",
    ),
    DemoUnit(
        "uz-niac-analysis",
        "UZ-NIAC",
        "analysis",
        None,
        "Analysis department (Tashkent)",
        "Аналитический отдел (Ташкент)",
    ),
    DemoUnit(
        "tj-dca-blo-panj",
        "TJ-DCA",
        "blo",
        "TJ-NIZHNY-PANJ",
        "Border Liaison Office Nizhny Panj",
        "ПОГС «Нижний Пяндж»",
    ),
    DemoUnit(
        "tj-dca-ishkoshim",
        "TJ-DCA",
        "blo",
        "TJ-ISHKOSHIM",
        "Border Liaison Office Ishkoshim",
        "ПОГС «Ишкашим»",
    ),
    DemoUnit(
        "tj-dca-analysis",
        "TJ-DCA",
        "analysis",
        None,
        "Information and analysis department (Dushanbe)",
        "Информационно-аналитическое управление (Душанбе)",
    ),
    DemoUnit(
        "tj-customs-dushanbe-apt",
        "TJ-CUSTOMS",
        "other",
        "TJ-DUSHANBE-APT",
        "Customs post Dushanbe airport",
        "Таможенный пост «Аэропорт Душанбе»",
    ),
    DemoUnit(
        "kz-customs-pcu-aktau",
        "KZ-CUSTOMS",
        "pcu",
        "KZ-AKTAU-PORT",
        "Port control unit Aktau",
        "Группа портового контроля Актау",
    ),
    DemoUnit(
        "kz-customs-khorgos",
        "KZ-CUSTOMS",
        "pcu",
        "KZ-KHORGOS-GATEWAY",
        "Port control unit Khorgos",
        "Группа портового контроля Хоргос",
    ),
    DemoUnit(
        "uz-gp-mla",
        "UZ-GP",
        "other",
        None,
        "Department of international legal assistance",
        "Управление международно-правового сотрудничества",
    ),
    DemoUnit(
        "unodc-roca-prevention",
        "UNODC-ROCA",
        "other",
        None,
        "Drug prevention and family skills programme",
        "Программа профилактики и семейных навыков",
    ),
    DemoUnit("kz-shelter-almaty", "KZ-SHELTER", "other", None, "Case management", "Ведение случаев"),
    DemoUnit(
        "kz-health-almaty",
        "KZ-HEALTH",
        "other",
        None,
        "Reception and social ward",
        "Приёмное и социальное отделение",
    ),
    DemoUnit("kz-legalaid-almaty", "KZ-LEGALAID", "other", None, "Lawyers", "Юристы"),
    DemoUnit(
        "kz-mvd-analysis",
        "KZ-MVD",
        "analysis",
        None,
        "Analysis unit (Astana)",
        "Аналитическое управление (Астана)",
    ),
    DemoUnit("tm-drug-farap", "TM-DRUG", "other", "TM-FARAP", "Farap department", "Отдел «Фарап»"),
    DemoUnit(
        "tm-customs-turkmenbashi",
        "TM-CUSTOMS",
        "pcu",
        "TM-TURKMENBASHI-PORT",
        "Port control unit Turkmenbashi",
        "Группа портового контроля Туркменбаши",
    ),
    DemoUnit(
        "af-cnpa-blo-shirkhan",
        "AF-CNPA",
        "blo",
        "AF-SHIR-KHAN-BANDAR",
        "Border Liaison Office Shir Khan Bandar",
        "ПОГС «Шерхан-Бандар»",
    ),
)

ACCOUNTS = (
    DemoAccount(
        "admin", None, None, "Node", "Administrator", "node administrator: everything, users, reference data"
    ),
    DemoAccount(
        "kg.blo.dostuk",
        "kg-dcs-blo-dostuk",
        Role.OFFICER,
        "Азамат",
        "Токтосунов",
        "officer, Kyrgyz drug control service, BLO Dostuk",
    ),
    DemoAccount(
        "kg.supervisor",
        "kg-dcs-blo-dostuk",
        Role.SUPERVISOR,
        "Нурлан",
        "Абдыкадыров",
        "supervisor, Kyrgyz drug control service, BLO Dostuk (validates, sees the unit's audit trail)",
    ),
    DemoAccount(
        "uz.blo.dustlik",
        "uz-customs-blo-dustlik",
        Role.OFFICER,
        "Шерзод",
        "Каримов",
        "officer, Uzbek customs, BLO Dustlik",
    ),
    DemoAccount(
        "uz.supervisor",
        "uz-customs-blo-dustlik",
        Role.SUPERVISOR,
        "Бахтиёр",
        "Умаров",
        "supervisor, Uzbek customs, BLO Dustlik (sees the unit's overdue requests and audit trail)",
    ),
    DemoAccount(
        "af.blo.shirkhan",
        "af-cnpa-blo-shirkhan",
        Role.OFFICER,
        "Ahmad",
        "Karimi",
        "officer, Counter Narcotics Police of Afghanistan, BLO Shir Khan Bandar",
    ),
    DemoAccount(
        "tj.blo.panj",
        "tj-dca-blo-panj",
        Role.OFFICER,
        "Фаридун",
        "Рахимов",
        "officer, Tajik drug control agency, BLO Nizhny Panj",
    ),
    DemoAccount(
        "kz.pcu.aktau",
        "kz-customs-pcu-aktau",
        Role.OFFICER,
        "Ержан",
        "Сатпаев",
        "officer, Kazakh customs, port control unit Aktau",
    ),
    DemoAccount(
        "kg.analyst", "kg-dcs-analysis", Role.ANALYST, "Айгуль", "Бекова", "analyst, Kyrgyz analysis unit"
    ),
    DemoAccount(
        "tj.analyst", "tj-dca-analysis", Role.ANALYST, "Малика", "Назарова", "analyst, Tajik analysis unit"
    ),
    DemoAccount("uz.analyst", "uz-niac-analysis", Role.ANALYST, "Дилноза", "Юсупова", "analyst, Uzbek NIAC"),
    DemoAccount("kz.analyst", "kz-mvd-analysis", Role.ANALYST, "Асель", "Жумабаева", "analyst, Kazakh MVD"),
    DemoAccount(
        "kg.prison.auditor",
        "kg-prison-hq",
        Role.OFFICER,
        "Бакыт",
        "Осмонов",
        "prison security auditor, Kyrgyz prison service headquarters (audits facilities, registers incidents)",
    ),
    DemoAccount(
        "kg.prison.head",
        "kg-prison-hq",
        Role.SUPERVISOR,
        "Эркин",
        "Сыдыков",
        "head of the security department, Kyrgyz prison service (reviews audits)",
    ),
    DemoAccount(
        "uz.prosecutor",
        "uz-gp-mla",
        Role.OFFICER,
        "Нодира",
        "Саидова",
        "prosecutor, international legal assistance, General Prosecutor's Office of Uzbekistan",
    ),
    DemoAccount(
        "kz.caseworker",
        "kz-shelter-almaty",
        Role.OFFICER,
        "Гульмира",
        "Ахметова",
        "case worker, crisis centre for victims of trafficking, Almaty",
    ),
    DemoAccount(
        "kz.doctor",
        "kz-health-almaty",
        Role.OFFICER,
        "Самал",
        "Нургалиева",
        "doctor, city polyclinic No. 5, Almaty",
    ),
    DemoAccount(
        "kz.lawyer",
        "kz-legalaid-almaty",
        Role.OFFICER,
        "Арман",
        "Касымов",
        "lawyer, legal aid centre, Almaty",
    ),
    DemoAccount(
        "unodc.programme",
        "unodc-roca-prevention",
        Role.OFFICER,
        "Madina",
        "Rakhimova",
        "programme officer, UNODC family skills programme (evaluation, training)",
    ),
    DemoAccount(
        "kg.ik47",
        "kg-prison-ik47",
        Role.OFFICER,
        "Улан",
        "Жумалиев",
        "deputy head for security, colony No. 47 (answers the auditors' recommendations)",
    ),
)


@transaction.atomic
def build_organisations() -> dict[str, int]:
    """Agencies and units of the demo world (updated in place when they exist)."""
    agencies = {}
    for agency in AGENCIES:
        agencies[agency.code], _ = Agency.objects.update_or_create(
            code=agency.code,
            defaults={
                "country_id": agency.country,
                "kind": agency.kind,
                "short_name": agency.short,
                "name": agency.name,
                "names": {"ru": agency.name_ru},
            },
        )
    places = {place.code: place for place in Place.objects.all()}
    for unit in UNITS:
        Unit.objects.update_or_create(
            code=unit.code,
            defaults={
                "agency": agencies[unit.agency],
                "kind": unit.kind,
                "place": places.get(unit.place or ""),
                "name": unit.name,
                "names": {"ru": unit.name_ru},
            },
        )
    audit_log(
        actor=None,
        action="demo_build",
        object_type="core.unit",
        after={"agencies": len(AGENCIES), "units": len(UNITS)},
    )
    return {"agencies": len(AGENCIES), "units": len(UNITS)}


@transaction.atomic
def build_accounts(password: str | None) -> list[tuple[DemoAccount, bool]]:
    """The demo accounts; a password given here is set on all of them, new or not."""
    units = {unit.code: unit for unit in Unit.objects.all()}
    result = []
    for account in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": f"{account.username}@demo.kordon.invalid",
            },
        )
        if account.unit is None:
            user.is_staff = user.is_superuser = True
        if password is not None:
            user.set_password(password)
        user.save()
        if account.unit is not None and account.role is not None:
            Membership.objects.update_or_create(
                user=user, unit=units[account.unit], defaults={"role": account.role}
            )
        result.append((account, created))
    audit_log(actor=None, action="demo_build", object_type="core.user", after={"accounts": len(ACCOUNTS)})
    return result
