"""Demo data: the office's real partners, facilities and programmes, plus generated volume for load testing.

``load_demo(session)`` adds the *real* records (names and facts from the Kawasaki policy document: the two
facilities and their exhibition halls, Kawa Biz Net, JICA and the ministries, Nam Papa Lao, Bandung, Ba Ria-Vung
Tau, Queensland, MaWaSU2...). Each top-level record has a natural key (a code, a staff number, an e-mail, or the
organization's kind and Japanese name); a record that already exists is skipped with everything under it, so
running the loader twice adds nothing the second time.

``scale=N`` then adds N units of generated records (see ``UNIT``) with deterministic pseudo-random data and bulk
inserts. Generated codes start with ``GEN-`` and a batch number, so each run adds a new batch and never touches
the real records. The loader flushes but does not commit: the caller owns the transaction.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from kawaoffice.model.base import Entity, utcnow
from kawaoffice.model.dispatch import (
    Dispatch,
    DispatchMember,
    DispatchPurpose,
    DispatchStatus,
    ItineraryLeg,
    LanguageLevel,
    LegKind,
    MemberRole,
    Skill,
    Staff,
    StaffLanguage,
    StaffSkill,
    StaffTraining,
    TrainingKind,
)
from kawaoffice.model.partners import (
    Contact,
    Employment,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationTechnology,
    Technology,
)
from kawaoffice.model.projects import (
    LocalNeed,
    NeedSource,
    NeedTechnology,
    Project,
    ProjectParticipant,
    ProjectSdgTarget,
    ProjectSector,
    ProjectState,
    Scheme,
    SchemeStage,
    StageEvent,
)
from kawaoffice.model.tours import (
    Booking,
    BookingPresenter,
    BookingSegment,
    BookingStatus,
    ClosedDate,
    Course,
    CourseStop,
    Facility,
    FacilityWeekday,
    SegmentRole,
    SegmentStaff,
    VisitorType,
)
from kawaoffice.services.projects import STANDARD_SCHEMES
from kawaoffice.services.text import fold_all, organization_name_keys

__all__ = ["GENERATED_PREFIX", "UNIT", "DemoSummary", "load_demo"]

JST: Final = ZoneInfo("Asia/Tokyo")
ICT: Final = ZoneInfo("Asia/Vientiane")
WIB: Final = ZoneInfo("Asia/Jakarta")

GENERATED_PREFIX: Final = "GEN-"

# One unit of generated volume (``scale=1``). Contacts get one employment each; segments are 1-2 per booking.
UNIT: Final[dict[str, int]] = {
    "organizations": 100,
    "contacts": 1000,
    "staff": 20,
    "projects": 50,
    "dispatches": 200,
    "bookings": 1000,
}


@dataclass
class DemoSummary:
    """What one ``load_demo`` call added: real records by table, and generated records by kind."""

    added: dict[str, int] = field(default_factory=dict)
    generated: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.added.values()) + sum(self.generated.values())

    def count(self, table: str) -> None:
        self.added[table] = self.added.get(table, 0) + 1


# ---------------------------------------------------------------------------------------------------------------
# The real records
# ---------------------------------------------------------------------------------------------------------------

# code, name_ja, name_en, DAC code
TECHNOLOGIES: Final = [
    ("LEAK", "漏水探知", "Leak detection", "14021"),
    ("NRW", "無収水対策", "Non-revenue water management", "14021"),
    ("MEMBRANE", "膜ろ過", "Membrane filtration", "14021"),
    ("WQ_MONITOR", "水質計測", "Water quality monitoring", "14021"),
    ("DISINFECTION", "消毒・塩素注入", "Disinfection and chlorination", "14021"),
    ("SMART_METER", "スマート水道メーター", "Smart water meters", "14021"),
    ("SCADA", "遠方監視制御", "SCADA and telemetry", "14020"),
    ("PUMP", "ポンプ設備", "Pumps", "14020"),
    ("PIPE_REHAB", "管路更生", "Pipe rehabilitation", "14022"),
    ("SLUDGE", "下水汚泥処理", "Sewage sludge treatment", "14022"),
    ("BIOGAS", "消化ガス発電", "Digester gas power generation", "14022"),
    ("DECENTRALISED", "小規模分散型汚水処理", "Decentralised wastewater treatment", "14032"),
]


@dataclass(frozen=True)
class _Org:
    kind: OrganizationKind
    name_ja: str
    name_kana: str
    name_en: str
    abbreviation: str = ""
    country: str = "JP"
    city: str = ""
    name_local: str = ""
    website: str = ""
    joined: date | None = None  # Kawa Biz Net membership
    left: date | None = None
    technologies: tuple[tuple[str, str], ...] = ()  # (technology code, product name)
    notes: str = ""


M = OrganizationKind.MEMBER
C = OrganizationKind.COOPERATING
P = OrganizationKind.COUNTERPART

ORGANIZATIONS: Final[list[_Org]] = [
    # The bureau itself and the city.
    _Org(
        OrganizationKind.CITY,
        "川崎市上下水道局",
        "カワサキシジョウゲスイドウキョク",
        "Kawasaki City Waterworks Bureau",
        "KCWB",
        city="川崎市",
        notes="かわさき水ビジネスネットワーク事務局",
    ),
    _Org(
        OrganizationKind.CITY,
        "川崎市経済労働局",
        "カワサキシケイザイロウドウキョク",
        "Kawasaki City Economic and Labor Affairs Bureau",
        city="川崎市",
    ),
    # Cooperating bodies (協力団体).
    _Org(
        C,
        "独立行政法人国際協力機構",
        "コクサイキョウリョクキコウ",
        "Japan International Cooperation Agency",
        "JICA",
        city="東京都千代田区",
    ),
    _Org(
        C,
        "厚生労働省",
        "コウセイロウドウショウ",
        "Ministry of Health, Labour and Welfare",
        "MHLW",
        city="東京都千代田区",
    ),
    _Org(
        C,
        "国土交通省",
        "コクドコウツウショウ",
        "Ministry of Land, Infrastructure, Transport and Tourism",
        "MLIT",
        city="東京都千代田区",
    ),
    _Org(C, "環境省", "カンキョウショウ", "Ministry of the Environment", "MOE", city="東京都千代田区"),
    _Org(C, "外務省", "ガイムショウ", "Ministry of Foreign Affairs", "MOFA", city="東京都千代田区"),
    _Org(
        C,
        "環境インフラ海外展開プラットフォーム",
        "カンキョウインフラカイガイテンカイプラットフォーム",
        "Japan Platform for Environmentally Sustainable Infrastructure",
        "JPESI",
        notes="2017年 環境省「環境インフラ海外展開基本戦略」により設立。川崎市は会員。",
    ),
    _Org(
        C,
        "かわさきグリーンイノベーションクラスター",
        "カワサキグリーンイノベーションクラスター",
        "Kawasaki Green Innovation Cluster",
        city="川崎市",
        notes="2015年4月設立。かわBizネットも団体として加入。",
    ),
    # Kawa Biz Net member companies (invented names).
    _Org(
        M,
        "川崎水道テクノ株式会社",
        "カワサキスイドウテクノ",
        "Kawasaki Suido Techno Co., Ltd.",
        city="川崎市川崎区",
        joined=date(2012, 8, 1),
        technologies=(("LEAK", "音聴式漏水探知システム AQ-Listen"), ("NRW", "無収水管理コンサルティング")),
    ),
    _Org(
        M,
        "多摩川メンブレン工業株式会社",
        "タマガワメンブレンコウギョウ",
        "Tamagawa Membrane Industries Co., Ltd.",
        city="川崎市高津区",
        joined=date(2012, 8, 1),
        technologies=(("MEMBRANE", "セラミック膜ろ過装置 TM-Ceram"),),
    ),
    _Org(
        M,
        "株式会社京浜水質計測",
        "ケイヒンスイシツケイソク",
        "Keihin Water Quality Instruments Inc.",
        city="川崎市幸区",
        joined=date(2013, 4, 1),
        technologies=(("WQ_MONITOR", "残留塩素連続測定器 KW-Cl2"), ("DISINFECTION", "塩素注入制御盤")),
    ),
    _Org(
        M,
        "臨海エンジニアリング株式会社",
        "リンカイエンジニアリング",
        "Rinkai Engineering Co., Ltd.",
        city="川崎市川崎区",
        joined=date(2012, 8, 1),
        technologies=(("SLUDGE", "汚泥減容化システム"), ("BIOGAS", "消化ガス発電パッケージ")),
    ),
    _Org(
        M,
        "中原管路サービス株式会社",
        "ナカハラカンロサービス",
        "Nakahara Pipeline Services Co., Ltd.",
        city="川崎市中原区",
        joined=date(2014, 6, 1),
        technologies=(("PIPE_REHAB", "非開削管路更生工法"),),
    ),
    _Org(
        M,
        "溝口ポンプ製作所株式会社",
        "ミゾノクチポンプセイサクショ",
        "Mizonokuchi Pump Works Co., Ltd.",
        city="川崎市高津区",
        joined=date(2015, 4, 1),
        technologies=(("PUMP", "高効率渦巻ポンプ"),),
    ),
    _Org(
        M,
        "株式会社かわさきスマートメーター",
        "カワサキスマートメーター",
        "Kawasaki Smart Meter Inc.",
        city="川崎市中原区",
        joined=date(2018, 4, 1),
        technologies=(("SMART_METER", "LPWA通信水道メーター"), ("SCADA", "クラウド型遠方監視")),
    ),
    _Org(
        M,
        "登戸化学工業株式会社",
        "ノボリトカガクコウギョウ",
        "Noborito Chemical Industries Co., Ltd.",
        city="川崎市多摩区",
        joined=date(2016, 10, 1),
        technologies=(("DISINFECTION", "次亜塩素酸ナトリウム生成装置"),),
    ),
    _Org(
        M,
        "エコ浄化システムズ株式会社",
        "エコジョウカシステムズ",
        "Eco Johka Systems Co., Ltd.",
        city="川崎市宮前区",
        joined=date(2019, 4, 1),
        technologies=(("DECENTRALISED", "小型合併処理浄化槽"),),
    ),
    _Org(
        M,
        "武蔵小杉コンサルタンツ株式会社",
        "ムサシコスギコンサルタンツ",
        "Musashi-Kosugi Consultants Co., Ltd.",
        city="川崎市中原区",
        joined=date(2012, 8, 1),
        technologies=(("SCADA", "上下水道施設計画・設計"),),
    ),
    _Org(
        M,
        "川崎環境設備株式会社",
        "カワサキカンキョウセツビ",
        "Kawasaki Environmental Equipment Co., Ltd.",
        city="川崎市川崎区",
        joined=date(2013, 4, 1),
        left=date(2020, 3, 31),
        technologies=(("PUMP", "汚水中継ポンプ"),),
        notes="2019年度末に退会",
    ),
    # Overseas counterparts (海外カウンターパート).
    _Org(
        P,
        "ナムパパ・ラオ",
        "ナムパパラオ",
        "Nam Papa Lao (Lao state water supply enterprise)",
        "NPL",
        country="LA",
        city="Vientiane",
        name_local="ນ້ຳປະປາລາວ",
        notes="ラオス国水道公社。MaWaSU / MaWaSU2 のカウンターパート。",
    ),
    _Org(
        P,
        "ラオス公共事業運輸省 水道局",
        "ラオスコウキョウジギョウウンユショウスイドウキョク",
        "Department of Water Supply, Ministry of Public Works and Transport (Lao PDR)",
        "DWS",
        country="LA",
        city="Vientiane",
    ),
    _Org(
        P,
        "バンドン市",
        "バンドンシ",
        "Bandung City Government",
        country="ID",
        city="Bandung",
        name_local="Pemerintah Kota Bandung",
    ),
    _Org(
        P,
        "バリア・ブンタウ省人民委員会",
        "バリアブンタウショウジンミンイインカイ",
        "Ba Ria-Vung Tau Provincial People's Committee",
        country="VN",
        city="Vũng Tàu",
        name_local="Ủy ban nhân dân tỉnh Bà Rịa – Vũng Tàu",
    ),
    _Org(
        P,
        "クイーンズランド州政府",
        "クイーンズランドシュウセイフ",
        "Queensland Government",
        country="AU",
        city="Brisbane",
        name_local="Queensland Government",
    ),
    _Org(
        P,
        "プノンペン水道公社",
        "プノンペンスイドウコウシャ",
        "Phnom Penh Water Supply Authority",
        "PPWSA",
        country="KH",
        city="Phnom Penh",
        name_local="រដ្ឋាករទឹកស្វយ័តក្រុងភ្នំពេញ",
    ),
    _Org(
        P,
        "ハイフォン上水道公社",
        "ハイフォンジョウスイドウコウシャ",
        "Hai Phong Water Supply JSC",
        country="VN",
        city="Hải Phòng",
        name_local="Công ty Cổ phần Cấp nước Hải Phòng",
    ),
    # University / research.
    _Org(
        OrganizationKind.ACADEMIC,
        "多摩川水環境研究センター",
        "タマガワミズカンキョウケンキュウセンター",
        "Tamagawa Water Environment Research Center",
        city="川崎市多摩区",
    ),
]

JICA = "独立行政法人国際協力機構"
MLIT = "国土交通省"
MHLW = "厚生労働省"
MOE = "環境省"
CITY = "川崎市上下水道局"
NPL = "ナムパパ・ラオ"
BANDUNG = "バンドン市"
BRVT = "バリア・ブンタウ省人民委員会"
QLD = "クイーンズランド州政府"


@dataclass(frozen=True)
class _Post:
    org: str  # name_ja of the organization
    department: str
    title: str
    start: date | None
    end: date | None = None


@dataclass(frozen=True)
class _Person:
    email: str  # natural key
    family: str
    given: str
    family_kana: str
    given_kana: str
    name_en: str
    posts: tuple[_Post, ...]
    phone: str = ""
    confirmed_on: date | None = None
    successor: str = ""  # e-mail of the successor
    notes: str = ""


CONTACTS: Final[list[_Person]] = [
    _Person(
        "sato.kenichi@jica.example.jp",
        "佐藤",
        "健一",
        "サトウ",
        "ケンイチ",
        "Kenichi Sato",
        (
            _Post(JICA, "地球環境部 水資源グループ", "主任調査役", date(2023, 4, 1), date(2026, 3, 31)),
            _Post(JICA, "ラオス事務所", "次長", date(2026, 4, 1)),
        ),
        confirmed_on=date(2025, 6, 2),
        successor="takahashi.misaki@jica.example.jp",
        notes="2026年4月の人事異動でラオス事務所へ。本部の後任は高橋さん。",
    ),
    _Person(
        "takahashi.misaki@jica.example.jp",
        "高橋",
        "美咲",
        "タカハシ",
        "ミサキ",
        "Misaki Takahashi",
        (_Post(JICA, "地球環境部 水資源グループ", "主任調査役", date(2026, 4, 1)),),
        confirmed_on=date(2026, 4, 15),
    ),
    _Person(
        "kimura.naoki@mhlw.example.jp",
        "木村",
        "直樹",
        "キムラ",
        "ナオキ",
        "Naoki Kimura",
        (_Post(MHLW, "医薬・生活衛生局 水道課", "課長補佐", date(2021, 4, 1), date(2024, 3, 31)),),
        confirmed_on=date(2023, 5, 10),
        successor="ogawa.ryo@mlit.example.jp",
        notes="2024年4月 水道行政の国土交通省への移管に伴い後任は国交省。",
    ),
    _Person(
        "ogawa.ryo@mlit.example.jp",
        "小川",
        "亮",
        "オガワ",
        "リョウ",
        "Ryo Ogawa",
        (_Post(MLIT, "上下水道審議官グループ 水道事業課", "課長補佐", date(2024, 4, 1)),),
        confirmed_on=date(2026, 5, 8),
    ),
    _Person(
        "tanaka.koji@mlit.example.jp",
        "田中",
        "浩二",
        "タナカ",
        "コウジ",
        "Koji Tanaka",
        (
            _Post(MLIT, "水管理・国土保全局 下水道部", "係長", date(2018, 4, 1), date(2021, 3, 31)),
            _Post(MLIT, "上下水道審議官グループ 下水道事業課", "課長補佐", date(2024, 4, 1)),
        ),
        confirmed_on=date(2026, 4, 20),
    ),
    _Person(
        "mori.yuko@env.example.jp",
        "森",
        "優子",
        "モリ",
        "ユウコ",
        "Yuko Mori",
        (_Post(MOE, "水・大気環境局 国際協力室", "室長補佐", date(2025, 4, 1)),),
        confirmed_on=date(2025, 7, 1),
    ),
    _Person(
        "aoki.takeshi@kst.example.jp",
        "青木",
        "剛",
        "アオキ",
        "タケシ",
        "Takeshi Aoki",
        (_Post("川崎水道テクノ株式会社", "海外事業部", "部長", date(2015, 4, 1)),),
        phone="+81445550101",
        confirmed_on=date(2026, 4, 10),
    ),
    _Person(
        "ishii.mai@tamagawa-membrane.example.jp",
        "石井",
        "舞",
        "イシイ",
        "マイ",
        "Mai Ishii",
        (_Post("多摩川メンブレン工業株式会社", "営業本部 海外営業課", "課長", date(2019, 4, 1)),),
        phone="+81445550202",
    ),
    _Person(
        "fujita.ken@keihin-wq.example.jp",
        "藤田",
        "健",
        "フジタ",
        "ケン",
        "Ken Fujita",
        (_Post("株式会社京浜水質計測", "技術部", "主任技師", date(2017, 4, 1)),),
        phone="+81445550303",
    ),
    _Person(
        "okada.shin@rinkai-eng.example.jp",
        "岡田",
        "慎",
        "オカダ",
        "シン",
        "Shin Okada",
        (_Post("臨海エンジニアリング株式会社", "環境プラント事業部", "担当部長", date(2016, 4, 1)),),
        phone="+81445550404",
    ),
    _Person(
        "hasegawa.jun@nakahara-pipe.example.jp",
        "長谷川",
        "淳",
        "ハセガワ",
        "ジュン",
        "Jun Hasegawa",
        (_Post("中原管路サービス株式会社", "技術営業部", "課長", date(2018, 10, 1)),),
    ),
    _Person(
        "khamphanh.s@namapapa.example.la",
        "Sisouk",
        "Khamphanh",
        "シースック",
        "カムパン",
        "Khamphanh Sisouk",
        (_Post(NPL, "Planning and Cooperation Division", "Deputy Director", date(2016, 1, 1)),),
        phone="+85621123456",
    ),
    _Person(
        "rina.suryani@bandung.example.id",
        "Suryani",
        "Rina",
        "スリヤニ",
        "リナ",
        "Rina Suryani",
        (_Post(BANDUNG, "Dinas Sumber Daya Air dan Bina Marga", "Head of Section", date(2018, 1, 1)),),
    ),
    _Person(
        "nguyen.minh@brvt.example.vn",
        "Nguyễn",
        "Văn Minh",
        "グエン",
        "ヴァンミン",
        "Nguyen Van Minh",
        (_Post(BRVT, "Department of Construction", "Deputy Director", date(2017, 1, 1)),),
    ),
    _Person(
        "sarah.mitchell@qld.example.au",
        "Mitchell",
        "Sarah",
        "ミッチェル",
        "サラ",
        "Sarah Mitchell",
        (
            _Post(
                QLD,
                "Department of Regional Development, Manufacturing and Water",
                "Principal Advisor",
                date(2014, 7, 1),
            ),
        ),
    ),
]


@dataclass(frozen=True)
class _StaffData:
    staff_no: str
    family: str
    given: str
    family_kana: str
    given_kana: str
    name_en: str
    department: str
    position: str
    passport_expiry: date | None
    languages: tuple[tuple[str, LanguageLevel], ...]
    skills: tuple[Skill, ...]
    trainings: tuple[tuple[TrainingKind, str, date], ...]


L = LanguageLevel
S = Skill
T = TrainingKind
INTL = "経営企画部 国際事業担当"

STAFF: Final[list[_StaffData]] = [
    _StaffData(
        "K1001",
        "山田",
        "太郎",
        "ヤマダ",
        "タロウ",
        "Taro Yamada",
        INTL,
        "担当課長",
        date(2030, 5, 31),
        (("en", L.BUSINESS), ("lo", L.CONVERSATIONAL)),
        (S.BUSINESS_MANAGEMENT, S.NON_REVENUE_WATER),
        (
            (T.INTERNATIONAL_SEMINAR, "国際業務研修会", date(2017, 10, 20)),
            (T.LANGUAGE, "ラオス語研修", date(2018, 3, 15)),
        ),
    ),
    _StaffData(
        "K1002",
        "鈴木",
        "花子",
        "スズキ",
        "ハナコ",
        "Hanako Suzuki",
        INTL,
        "担当係長",
        date(2027, 4, 30),
        (("en", L.FLUENT), ("vi", L.BASIC)),
        (S.TRAINING, S.BUSINESS_MANAGEMENT),
        (
            (T.INTERNATIONAL_SEMINAR, "国際業務研修会", date(2021, 11, 5)),
            (T.LANGUAGE, "英語研修(上級)", date(2022, 2, 18)),
        ),
    ),
    _StaffData(
        "K1003",
        "伊藤",
        "誠",
        "イトウ",
        "マコト",
        "Makoto Ito",
        "水道部 長沢浄水場",
        "係長",
        date(2029, 8, 31),
        (("en", L.CONVERSATIONAL),),
        (S.WATER_TREATMENT, S.WATER_QUALITY, S.OPERATION_MAINTENANCE),
        ((T.INTERNATIONAL_SEMINAR, "国際業務研修会", date(2019, 10, 25)),),
    ),
    _StaffData(
        "K1004",
        "渡辺",
        "恵",
        "ワタナベ",
        "メグミ",
        "Megumi Watanabe",
        "下水道部 入江崎水処理センター",
        "係長",
        date(2031, 1, 31),
        (("en", L.BUSINESS),),
        (S.SEWERAGE, S.WASTEWATER_TREATMENT),
        ((T.INTERNATIONAL_SEMINAR, "国際業務研修会", date(2020, 10, 23)),),
    ),
    _StaffData(
        "K1005",
        "中村",
        "大輔",
        "ナカムラ",
        "ダイスケ",
        "Daisuke Nakamura",
        "水道部 配水課",
        "担当係長",
        date(2028, 3, 31),
        (("en", L.BUSINESS), ("lo", L.CONVERSATIONAL)),
        (S.DISTRIBUTION, S.NON_REVENUE_WATER, S.OPERATION_MAINTENANCE),
        (
            (T.JICA_PREDEPARTURE, "JICA派遣前研修", date(2018, 5, 11)),
            (T.LANGUAGE, "ラオス語研修", date(2018, 4, 27)),
        ),
    ),
    _StaffData(
        "K1006",
        "小林",
        "由美",
        "コバヤシ",
        "ユミ",
        "Yumi Kobayashi",
        "経営企画部 経営企画課",
        "主任",
        date(2032, 9, 30),
        (("en", L.BUSINESS),),
        (S.BUSINESS_MANAGEMENT,),
        ((T.INTERNATIONAL_SEMINAR, "国際業務研修会", date(2024, 10, 18)),),
    ),
    _StaffData(
        "K1007",
        "加藤",
        "翔太",
        "カトウ",
        "ショウタ",
        "Shota Kato",
        "下水道部 下水道計画課",
        "技師",
        date(2029, 12, 31),
        (("en", L.CONVERSATIONAL), ("id", L.BASIC)),
        (S.SEWERAGE, S.OPERATION_MAINTENANCE),
        ((T.LANGUAGE, "インドネシア語研修", date(2019, 6, 28)),),
    ),
    _StaffData(
        "K1008",
        "吉田",
        "彩",
        "ヨシダ",
        "アヤ",
        "Aya Yoshida",
        "水道部 水質管理課",
        "主任",
        None,
        (("en", L.CONVERSATIONAL), ("fr", L.BASIC)),
        (S.WATER_QUALITY,),
        (),
    ),
]

# Schemes and their stage templates are the standard ones the projects service ensures.
SCHEMES: Final = STANDARD_SCHEMES


@dataclass(frozen=True)
class _ProjectData:
    code: str
    title_ja: str
    title_en: str
    scheme: str
    country: str
    region: str
    counterpart: str | None
    lead: str | None  # staff_no
    start: date | None
    end: date | None
    events: tuple[tuple[str | None, ProjectState, date, str], ...]  # (stage code, state, date, note)
    participants: tuple[tuple[str, int, str], ...]  # (org name_ja, IATI role, note)
    sdg: tuple[str, ...]
    sectors: tuple[tuple[str, int | None], ...]
    budget_yen: int | None = None
    description: str = ""
    next_action: str = ""
    next_action_on: date | None = None


A = ProjectState.ACTIVE
DONE = ProjectState.COMPLETED

PROJECTS: Final[list[_ProjectData]] = [
    _ProjectData(
        "LA-2012-MAWASU",
        "ラオス国水道公社事業管理能力向上プロジェクト(MaWaSU)",
        "Project for Improvement of Management Capacity of Public Water Supply Utilities in Lao PDR (MaWaSU)",
        "JICA_TCP",
        "LA",
        "Vientiane",
        NPL,
        "K1001",
        date(2012, 8, 1),
        date(2017, 8, 31),
        (
            ("IMPLEMENT", A, date(2012, 8, 1), "プロジェクト開始"),
            ("EVALUATION", A, date(2017, 3, 1), "終了時評価"),
            (None, DONE, date(2017, 8, 31), "プロジェクト終了"),
        ),
        ((JICA, 1, ""), (JICA, 3, ""), (CITY, 4, "専門家派遣・研修員受入れ"), (NPL, 4, "カウンターパート")),
        ("6.1", "6.a"),
        (("14021", 70), ("14081", 30)),
    ),
    _ProjectData(
        "LA-2018-MAWASU2",
        "水道事業運営管理能力向上プロジェクト(MaWaSU2)",
        "Project for Improvement of Management Capacity of Water Supply Utilities (MaWaSU2)",
        "JICA_TCP",
        "LA",
        "Vientiane",
        NPL,
        "K1001",
        date(2018, 5, 1),
        None,
        (
            ("DETAILED", A, date(2017, 11, 1), "詳細計画策定調査"),
            ("IMPLEMENT", A, date(2018, 5, 1), "上下水道局として初の長期専門家を派遣"),
        ),
        (
            (JICA, 1, ""),
            (JICA, 3, ""),
            (CITY, 4, "長期・短期専門家"),
            (NPL, 4, "カウンターパート"),
            ("ラオス公共事業運輸省 水道局", 2, ""),
        ),
        ("6.1", "6.4", "6.a"),
        (("14021", 60), ("14010", 20), ("14081", 20)),
        description="ラオス各県の水道公社の事業運営管理能力を向上させる。",
        next_action="短期専門家(無収水対策)派遣の準備",
        next_action_on=date(2026, 12, 1),
    ),
    _ProjectData(
        "ID-2019-BANDUNG",
        "インドネシア・バンドン市 下水道技術海外実証事業",
        "Bandung City (Indonesia) overseas demonstration of sewerage technology",
        "MLIT_DEMO",
        "ID",
        "Bandung",
        BANDUNG,
        "K1007",
        date(2019, 7, 1),
        date(2020, 3, 31),
        (
            ("APPLICATION", A, date(2019, 5, 20), "会員2社と川崎市の共同事業体で応募"),
            ("DEMONSTRATION", A, date(2019, 7, 1), "提案採択、現地実証開始"),
            ("REPORT", A, date(2020, 2, 1), "成果報告"),
            (None, DONE, date(2020, 3, 31), "事業完了"),
        ),
        (
            (MLIT, 1, ""),
            (CITY, 4, "共同事業体"),
            ("臨海エンジニアリング株式会社", 4, "共同事業体(代表)"),
            ("中原管路サービス株式会社", 4, "共同事業体"),
            (BANDUNG, 4, "カウンターパート"),
        ),
        ("6.2", "6.3"),
        (("14022", 100),),
        budget_yen=48_000_000,
    ),
    _ProjectData(
        "VN-2019-BRVT-SME",
        "ベトナム・バリアブントウ省 残留塩素連続監視 中小企業・SDGsビジネス支援事業",
        "Ba Ria-Vung Tau (Viet Nam) continuous residual chlorine monitoring - JICA SME/SDGs business support",
        "JICA_SME",
        "VN",
        "Bà Rịa – Vũng Tàu",
        BRVT,
        "K1002",
        date(2019, 10, 1),
        None,
        (
            ("APPLICATION", A, date(2019, 6, 1), "会員企業の提案"),
            ("NEEDS_SURVEY", A, date(2019, 10, 1), "ニーズ確認調査 採択"),
            ("DEMONSTRATION", A, date(2022, 4, 1), "ビジネス化実証事業へ移行"),
        ),
        ((JICA, 1, ""), ("株式会社京浜水質計測", 4, "提案企業"), (CITY, 4, "技術支援"), (BRVT, 4, "")),
        ("6.1", "6.3"),
        (("14021", 100),),
        next_action="実証結果報告会(現地)",
        next_action_on=date(2027, 2, 17),
    ),
    _ProjectData(
        "VN-2016-BRVT-SURVEY",
        "ベトナム・バリアブントウ省 水道事業調査(厚生労働省委託)",
        "Ba Ria-Vung Tau water supply survey (commissioned by MHLW)",
        "MINISTRY_SURVEY",
        "VN",
        "Bà Rịa – Vũng Tàu",
        BRVT,
        "K1001",
        date(2016, 6, 1),
        date(2017, 3, 31),
        (
            ("AWARD", A, date(2016, 6, 1), ""),
            ("SURVEY", A, date(2016, 8, 1), ""),
            ("REPORT", A, date(2017, 3, 10), ""),
            (None, DONE, date(2017, 3, 31), ""),
        ),
        ((MHLW, 1, ""), (CITY, 4, ""), ("武蔵小杉コンサルタンツ株式会社", 4, "")),
        ("6.1",),
        (("14010", 50), ("14021", 50)),
    ),
    _ProjectData(
        "AU-2015-QLD-SURVEY",
        "オーストラリア・クイーンズランド州 上下水道事業調査",
        "Queensland (Australia) water and sewerage survey",
        "MINISTRY_SURVEY",
        "AU",
        "Queensland",
        QLD,
        "K1001",
        date(2015, 7, 1),
        date(2016, 3, 31),
        (
            ("AWARD", A, date(2015, 7, 1), ""),
            ("SURVEY", A, date(2015, 9, 1), ""),
            (None, DONE, date(2016, 3, 31), ""),
        ),
        ((MLIT, 1, ""), (CITY, 4, ""), ("多摩川メンブレン工業株式会社", 4, "")),
        ("6.3", "6.4"),
        (("14020", 100),),
    ),
    _ProjectData(
        "LA-2026-GRASS-NRW",
        "ヴィエンチャン都 無収水削減 草の根技術協力事業(パートナー型)",
        "Vientiane non-revenue water reduction - JICA grassroots (partner type)",
        "JICA_GRASS_PARTNER",
        "LA",
        "Vientiane",
        NPL,
        "K1005",
        None,
        None,
        (("PROPOSAL", A, date(2026, 5, 15), "提案書提出"),),
        ((JICA, 1, ""), (CITY, 4, ""), ("川崎水道テクノ株式会社", 4, "漏水探知技術")),
        ("6.1", "6.4", "6.b"),
        (("14021", 80), ("14081", 20)),
        next_action="JICA審査結果待ち",
        next_action_on=date(2027, 1, 15),
    ),
    _ProjectData(
        "KB-2021-LA-NRW",
        "ラオス 無収水対策ビジネス(かわBizネット)",
        "Laos non-revenue water business (Kawa Biz Net)",
        "WATER_BIZ",
        "LA",
        "Vientiane",
        NPL,
        "K1001",
        date(2021, 4, 1),
        None,
        (
            ("NEEDS", A, date(2021, 4, 1), "MaWaSU2で得た現地ニーズを会員へ提供"),
            ("SCHEME", A, date(2024, 7, 1), "スマートメーター導入の実施可能性調査"),
        ),
        ((CITY, 4, ""), ("株式会社かわさきスマートメーター", 4, ""), ("川崎水道テクノ株式会社", 4, "")),
        ("6.4",),
        (("14021", 100),),
    ),
    _ProjectData(
        "KB-2022-ID-SLUDGE",
        "インドネシア 下水汚泥処理ビジネス(かわBizネット)",
        "Indonesia sewage sludge business (Kawa Biz Net)",
        "WATER_BIZ",
        "ID",
        "Bandung",
        BANDUNG,
        "K1007",
        date(2022, 4, 1),
        None,
        (("NEEDS", A, date(2022, 4, 1), "実証事業後のフォローアップ"),),
        ((CITY, 4, ""), ("臨海エンジニアリング株式会社", 4, "")),
        ("6.3",),
        (("14022", 100),),
    ),
    _ProjectData(
        "KB-2020-VN-MEMBRANE",
        "ベトナム 膜ろ過浄水ビジネス(かわBizネット)",
        "Viet Nam membrane filtration business (Kawa Biz Net)",
        "WATER_BIZ",
        "VN",
        "Hải Phòng",
        "ハイフォン上水道公社",
        "K1002",
        date(2020, 1, 10),
        None,
        (
            ("NEEDS", A, date(2020, 1, 10), ""),
            (
                None,
                ProjectState.SUSPENDED,
                date(2020, 4, 1),
                "新型コロナウイルス感染症による渡航制限のため中断",
            ),
        ),
        ((CITY, 4, ""), ("多摩川メンブレン工業株式会社", 4, "")),
        ("6.1",),
        (("14021", 100),),
    ),
    _ProjectData(
        "KH-2025-C2C",
        "プノンペン水道公社との技術交流(都市間連携)",
        "Technical exchange with Phnom Penh Water Supply Authority (city-to-city)",
        "CITY_TO_CITY",
        "KH",
        "Phnom Penh",
        "プノンペン水道公社",
        "K1006",
        date(2025, 10, 1),
        None,
        (("CONTACT", A, date(2025, 10, 1), "JICA研修員受入れを契機に関係構築"),),
        ((CITY, 4, ""), ("プノンペン水道公社", 4, "")),
        ("6.a",),
        (("14081", 100),),
    ),
]

# topic, description, country, counterpart, project code, technology codes, learned, passed on, source
NEEDS: Final = [
    (
        "ヴィエンチャン都の配水管からの漏水",
        "無収水率が高く、音聴調査の機材と人材が不足している。",
        "LA",
        NPL,
        "LA-2018-MAWASU2",
        ("LEAK", "NRW"),
        date(2023, 9, 15),
        date(2023, 11, 20),
        NeedSource.DISPATCH,
    ),
    (
        "地方水道公社の水質検査体制",
        "県レベルの水道公社で残留塩素の連続監視ができていない。",
        "LA",
        NPL,
        "LA-2018-MAWASU2",
        ("WQ_MONITOR", "DISINFECTION"),
        date(2025, 11, 18),
        None,
        NeedSource.DISPATCH,
    ),
    (
        "バンドン市 下水汚泥の減容化",
        "汚泥の最終処分先が逼迫している。",
        "ID",
        BANDUNG,
        "ID-2019-BANDUNG",
        ("SLUDGE", "BIOGAS"),
        date(2019, 9, 12),
        date(2019, 12, 5),
        NeedSource.SURVEY,
    ),
    (
        "工業団地排水の水質監視",
        "省の環境部局が連続監視の導入を検討している。",
        "VN",
        BRVT,
        "VN-2019-BRVT-SME",
        ("WQ_MONITOR",),
        date(2025, 11, 12),
        None,
        NeedSource.VISIT,
    ),
]


@dataclass(frozen=True)
class _Leg:
    kind: LegKind
    start: datetime
    end: datetime
    origin: str = ""
    destination: str = ""
    reference: str = ""
    details: str = ""


@dataclass(frozen=True)
class _DispatchData:
    code: str
    title: str
    title_en: str
    purpose: DispatchPurpose
    status: DispatchStatus
    country: str
    city: str
    timezone: str
    departure: date
    return_: date
    project: str | None
    members: tuple[tuple[str, MemberRole], ...]  # staff_no or contact e-mail
    legs: tuple[_Leg, ...] = ()
    notes: str = ""


def _jst(y: int, mo: int, d: int, h: int, mi: int) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=JST)


def _ict(y: int, mo: int, d: int, h: int, mi: int) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=ICT)


HND, VTE = "羽田空港 (HND)", "ワッタイ国際空港 (VTE)"
HOTEL_VTE = "Vientiane Plaza Hotel"

DISPATCHES: Final[list[_DispatchData]] = [
    _DispatchData(
        "D-2018-LA-LT01",
        "MaWaSU2 長期専門家(業務調整/無収水対策)",
        "MaWaSU2 long-term expert (coordination / NRW)",
        DispatchPurpose.LONG_TERM_EXPERT,
        DispatchStatus.COMPLETED,
        "LA",
        "Vientiane",
        "Asia/Vientiane",
        date(2018, 6, 4),
        date(2020, 3, 27),
        "LA-2018-MAWASU2",
        (("K1005", MemberRole.LEADER),),
        notes="上下水道局として初の長期専門家派遣",
    ),
    _DispatchData(
        "D-2019-ID-BDG",
        "バンドン市 下水道技術実証 現地調査",
        "Bandung sewerage demonstration field survey",
        DispatchPurpose.SURVEY,
        DispatchStatus.COMPLETED,
        "ID",
        "Bandung",
        "Asia/Jakarta",
        date(2019, 9, 9),
        date(2019, 9, 13),
        "ID-2019-BANDUNG",
        (
            ("K1007", MemberRole.LEADER),
            ("okada.shin@rinkai-eng.example.jp", MemberRole.MEMBER),
            ("hasegawa.jun@nakahara-pipe.example.jp", MemberRole.MEMBER),
        ),
        legs=(
            _Leg(
                LegKind.FLIGHT,
                _jst(2019, 9, 9, 11, 0),
                datetime(2019, 9, 9, 16, 45, tzinfo=WIB),
                HND,
                "スカルノ・ハッタ国際空港 (CGK)",
                "NH835",
            ),
            _Leg(
                LegKind.CAR,
                datetime(2019, 9, 9, 18, 0, tzinfo=WIB),
                datetime(2019, 9, 9, 21, 30, tzinfo=WIB),
                "Jakarta",
                "Bandung",
                "",
                "専用車",
            ),
            _Leg(
                LegKind.SITE_VISIT,
                datetime(2019, 9, 10, 9, 0, tzinfo=WIB),
                datetime(2019, 9, 10, 16, 0, tzinfo=WIB),
                "Bojongsoang WWTP",
                "Bojongsoang WWTP",
            ),
        ),
    ),
    _DispatchData(
        "D-2023-LA-ST04",
        "MaWaSU2 短期専門家(無収水対策)",
        "MaWaSU2 short-term expert (NRW)",
        DispatchPurpose.SHORT_TERM_EXPERT,
        DispatchStatus.COMPLETED,
        "LA",
        "Vientiane",
        "Asia/Vientiane",
        date(2023, 9, 11),
        date(2023, 9, 22),
        "LA-2018-MAWASU2",
        (("K1005", MemberRole.LEADER), ("K1001", MemberRole.MEMBER)),
    ),
    _DispatchData(
        "D-2025-LA-ST05",
        "MaWaSU2 短期専門家(水質管理)",
        "MaWaSU2 short-term expert (water quality)",
        DispatchPurpose.SHORT_TERM_EXPERT,
        DispatchStatus.COMPLETED,
        "LA",
        "Vientiane",
        "Asia/Vientiane",
        date(2025, 11, 10),
        date(2025, 11, 21),
        "LA-2018-MAWASU2",
        (("K1003", MemberRole.LEADER), ("K1008", MemberRole.MEMBER)),
        legs=(
            _Leg(
                LegKind.FLIGHT,
                _jst(2025, 11, 10, 10, 30),
                _ict(2025, 11, 10, 14, 45),
                HND,
                VTE,
                "NH849/TG574",
                "バンコク経由",
            ),
            _Leg(
                LegKind.FLIGHT,
                _ict(2025, 11, 21, 16, 0),
                _jst(2025, 11, 22, 6, 25),
                VTE,
                HND,
                "TG575/NH850",
                "バンコク経由",
            ),
        ),
    ),
    _DispatchData(
        "D-2026-SG-SIWW",
        "シンガポール国際水週間 出展(かわBizネット)",
        "Singapore International Water Week exhibition (Kawa Biz Net)",
        DispatchPurpose.CONFERENCE,
        DispatchStatus.COMPLETED,
        "SG",
        "Singapore",
        "Asia/Singapore",
        date(2026, 6, 22),
        date(2026, 6, 26),
        None,
        (("K1006", MemberRole.LEADER), ("aoki.takeshi@kst.example.jp", MemberRole.MEMBER)),
    ),
    _DispatchData(
        "D-2026-LA-ST06",
        "MaWaSU2 短期専門家(無収水対策・漏水探知)",
        "MaWaSU2 short-term expert (NRW, leak detection)",
        DispatchPurpose.SHORT_TERM_EXPERT,
        DispatchStatus.CONFIRMED,
        "LA",
        "Vientiane",
        "Asia/Vientiane",
        date(2026, 12, 7),
        date(2026, 12, 18),
        "LA-2018-MAWASU2",
        (("K1005", MemberRole.LEADER), ("K1001", MemberRole.MEMBER)),
        legs=(
            _Leg(
                LegKind.FLIGHT,
                _jst(2026, 12, 7, 10, 30),
                _ict(2026, 12, 7, 14, 45),
                HND,
                VTE,
                "NH849/TG574",
                "バンコク経由",
            ),
            _Leg(
                LegKind.HOTEL,
                _ict(2026, 12, 7, 16, 0),
                _ict(2026, 12, 18, 11, 0),
                HOTEL_VTE,
                HOTEL_VTE,
                "",
                "11泊",
            ),
            _Leg(
                LegKind.MEETING,
                _ict(2026, 12, 8, 9, 0),
                _ict(2026, 12, 8, 11, 30),
                "Nam Papa Lao 本社",
                "Nam Papa Lao 本社",
                "",
                "キックオフ会議(JICAラオス事務所同席)",
            ),
            _Leg(
                LegKind.SITE_VISIT,
                _ict(2026, 12, 9, 8, 30),
                _ict(2026, 12, 9, 15, 0),
                "Chinaimo 浄水場",
                "Chinaimo 浄水場",
                "",
                "配水区の漏水調査",
            ),
            _Leg(
                LegKind.MEETING,
                _ict(2026, 12, 17, 14, 0),
                _ict(2026, 12, 17, 16, 0),
                "Nam Papa Lao 本社",
                "Nam Papa Lao 本社",
                "",
                "成果報告会",
            ),
            _Leg(
                LegKind.FLIGHT,
                _ict(2026, 12, 18, 16, 0),
                _jst(2026, 12, 19, 6, 25),
                VTE,
                HND,
                "TG575/NH850",
                "バンコク経由、機中泊",
            ),
        ),
    ),
    _DispatchData(
        "D-2027-LA-MISSION",
        "ラオス ミッション団(かわBizネット会員企業同行)",
        "Laos mission team with Kawa Biz Net members",
        DispatchPurpose.MISSION,
        DispatchStatus.TENTATIVE,
        "LA",
        "Vientiane",
        "Asia/Vientiane",
        date(2027, 2, 15),
        date(2027, 2, 19),
        "KB-2021-LA-NRW",
        (
            ("K1001", MemberRole.LEADER),
            ("K1002", MemberRole.MEMBER),
            ("aoki.takeshi@kst.example.jp", MemberRole.MEMBER),
            ("ishii.mai@tamagawa-membrane.example.jp", MemberRole.MEMBER),
        ),
        legs=(
            _Leg(
                LegKind.FLIGHT,
                _jst(2027, 2, 15, 10, 30),
                _ict(2027, 2, 15, 14, 45),
                HND,
                VTE,
                "NH849/TG574",
                "バンコク経由",
            ),
            _Leg(
                LegKind.MEETING,
                _ict(2027, 2, 16, 9, 30),
                _ict(2027, 2, 16, 12, 0),
                "Nam Papa Lao 本社",
                "Nam Papa Lao 本社",
                "",
                "会員企業の技術紹介セミナー",
            ),
            _Leg(
                LegKind.FLIGHT,
                _ict(2027, 2, 19, 16, 0),
                _jst(2027, 2, 20, 6, 25),
                VTE,
                HND,
                "TG575/NH850",
                "バンコク経由",
            ),
        ),
    ),
    _DispatchData(
        "D-2027-LA-LT02",
        "MaWaSU2 長期専門家(水道事業経営)",
        "MaWaSU2 long-term expert (utility management)",
        DispatchPurpose.LONG_TERM_EXPERT,
        DispatchStatus.PLANNED,
        "LA",
        "Vientiane",
        "Asia/Vientiane",
        date(2027, 5, 10),
        date(2029, 3, 30),
        "LA-2018-MAWASU2",
        (("K1006", MemberRole.LEADER),),
    ),
]


@dataclass(frozen=True)
class _FacilityData:
    code: str
    name_ja: str
    name_en: str
    hall_ja: str
    hall_en: str
    address: str
    address_en: str
    capacity: int
    meeting_ja: str
    meeting_en: str
    opens: time
    closes: time
    courses: tuple[tuple[str, str, str, int, int, tuple[tuple[str, str, int], ...]], ...]
    maintenance: tuple[tuple[date, str], ...] = ()


FACILITIES: Final[list[_FacilityData]] = [
    _FacilityData(
        "NAGASAWA",
        "長沢浄水場",
        "Nagasawa Water Purification Plant",
        "水とかがやく未来館",
        "Mizu to Kagayaku Miraikan (exhibition hall)",
        "神奈川県川崎市多摩区三田",
        "Mita, Tama-ku, Kawasaki, Kanagawa",
        80,
        "水とかがやく未来館 1階エントランス",
        "Miraikan entrance hall, ground floor",
        time(9, 0),
        time(16, 30),
        (
            (
                "STD",
                "浄水場見学コース(標準)",
                "Water purification plant tour (standard)",
                90,
                40,
                (
                    ("未来館 展示ホール(概要説明)", "Exhibition hall (introduction)", 20),
                    ("着水井・沈でん池", "Receiving well and sedimentation basins", 25),
                    ("ろ過池", "Filtration basins", 25),
                    ("中央管理室", "Central control room", 20),
                ),
            ),
            (
                "SHORT",
                "未来館見学コース(短縮)",
                "Exhibition hall tour (short)",
                45,
                60,
                (
                    ("未来館 展示ホール", "Exhibition hall", 30),
                    ("屋上展望スペース", "Rooftop viewing deck", 15),
                ),
            ),
        ),
        ((date(2026, 12, 10), "設備点検"),),
    ),
    _FacilityData(
        "IRIEZAKI",
        "入江崎水処理センター",
        "Iriezaki Wastewater Treatment Center",
        "ワクワクアクア",
        "Waku Waku Aqua (exhibition hall)",
        "神奈川県川崎市川崎区塩浜",
        "Shiohama, Kawasaki-ku, Kawasaki, Kanagawa",
        60,
        "管理棟1階 ワクワクアクア入口",
        "Waku Waku Aqua entrance, administration building ground floor",
        time(9, 0),
        time(16, 30),
        (
            (
                "STD",
                "水処理センター見学コース(標準)",
                "Wastewater treatment tour (standard)",
                90,
                30,
                (
                    ("ワクワクアクア(概要説明)", "Waku Waku Aqua (introduction)", 20),
                    ("最初沈殿池", "Primary sedimentation tanks", 20),
                    ("反応タンク", "Aeration tanks", 25),
                    ("汚泥処理施設", "Sludge treatment facilities", 25),
                ),
            ),
        ),
    ),
]


@dataclass(frozen=True)
class _Segment:
    facility: str
    course: str | None
    start: datetime
    end: datetime
    guides: tuple[str, ...]  # staff_no


@dataclass(frozen=True)
class _BookingData:
    code: str
    group_name: str
    group_name_en: str
    visitor_type: VisitorType
    status: BookingStatus
    country: str
    headcount: int
    segments: tuple[_Segment, ...]
    training_course: str = ""
    organization: str | None = None
    countries: tuple[tuple[str, int], ...] = ()
    languages: tuple[str, ...] = ("en",)
    interpreter: bool = False
    interests: str = ""
    contact: str | None = None  # contact e-mail
    project: str | None = None
    presenters: tuple[tuple[str, str], ...] = ()  # (org name_ja, topic)
    transport: str = ""


def _day(
    d: date, nagasawa: bool = True, iriezaki: bool = True, guides: tuple[str, str] = ("K1003", "K1004")
) -> tuple[_Segment, ...]:
    segments = []
    if nagasawa:
        segments.append(
            _Segment(
                "NAGASAWA",
                "STD",
                datetime.combine(d, time(9, 30), JST),
                datetime.combine(d, time(11, 30), JST),
                (guides[0],),
            )
        )
    if iriezaki:
        segments.append(
            _Segment(
                "IRIEZAKI",
                "STD",
                datetime.combine(d, time(14, 0), JST),
                datetime.combine(d, time(15, 45), JST),
                (guides[1],),
            )
        )
    return tuple(segments)


BOOKINGS: Final[list[_BookingData]] = [
    _BookingData(
        "V-2019-LA-MAWASU2",
        "JICA研修「ラオス水道事業運営管理」研修員",
        "JICA training: Lao water utility management",
        VisitorType.JICA_TRAINEES,
        BookingStatus.COMPLETED,
        "LA",
        10,
        _day(date(2019, 10, 16)),
        training_course="ラオス国 水道事業運営管理能力向上(本邦研修)",
        organization=NPL,
        languages=("lo", "en"),
        interpreter=True,
        project="LA-2018-MAWASU2",
        contact="khamphanh.s@namapapa.example.la",
    ),
    _BookingData(
        "V-2025-JICA-WS",
        "JICA課題別研修「上水道施設技術総合」研修員",
        "JICA knowledge co-creation program: water supply engineering",
        VisitorType.JICA_TRAINEES,
        BookingStatus.COMPLETED,
        "",
        12,
        _day(date(2025, 11, 12)),
        training_course="上水道施設技術総合(水道管理行政及び水道事業経営)",
        organization=JICA,
        countries=(("LA", 2), ("KH", 2), ("VN", 3), ("ID", 2), ("MM", 1), ("KE", 2)),
        interests="無収水対策、水質管理",
        contact="sato.kenichi@jica.example.jp",
        presenters=(("川崎水道テクノ株式会社", "音聴式漏水探知の実演"),),
    ),
    _BookingData(
        "V-2026-STUDENTS",
        "川崎市立中学校 社会科見学",
        "Kawasaki municipal junior high school field trip",
        VisitorType.STUDENTS,
        BookingStatus.COMPLETED,
        "JP",
        35,
        _day(date(2026, 7, 8), iriezaki=False),
        languages=("ja",),
    ),
    _BookingData(
        "V-2026-JICA-SEWER",
        "JICA課題別研修「下水道維持管理」研修員",
        "JICA knowledge co-creation program: sewerage operation and maintenance",
        VisitorType.JICA_TRAINEES,
        BookingStatus.CONFIRMED,
        "",
        14,
        _day(date(2026, 12, 3)),
        training_course="下水道維持管理(C)",
        organization=JICA,
        countries=(("ID", 3), ("VN", 3), ("PH", 2), ("LK", 2), ("BR", 2), ("EG", 2)),
        interests="汚泥処理、管路維持管理",
        contact="takahashi.misaki@jica.example.jp",
        presenters=(
            ("臨海エンジニアリング株式会社", "汚泥減容化システム"),
            ("中原管路サービス株式会社", "非開削管路更生工法"),
        ),
    ),
    _BookingData(
        "V-2027-ID-BANDUNG",
        "バンドン市 下水道視察団",
        "Bandung City sewerage delegation",
        VisitorType.DELEGATION,
        BookingStatus.TENTATIVE,
        "ID",
        8,
        _day(date(2027, 1, 20)),
        organization=BANDUNG,
        languages=("id", "en"),
        interpreter=True,
        project="KB-2022-ID-SLUDGE",
        contact="rina.suryani@bandung.example.id",
        interests="下水汚泥処理、消化ガス発電",
        presenters=(("臨海エンジニアリング株式会社", "消化ガス発電パッケージ"),),
        transport="羽田空港から貸切バス",
    ),
    _BookingData(
        "V-2027-VN-BRVT",
        "バリア・ブンタウ省 上下水道視察団",
        "Ba Ria-Vung Tau water and sewerage delegation",
        VisitorType.OFFICIALS,
        BookingStatus.REQUESTED,
        "VN",
        6,
        _day(date(2027, 2, 10), iriezaki=False, guides=("K1003", "K1003")),
        organization=BRVT,
        languages=("vi", "en"),
        interpreter=True,
        project="VN-2019-BRVT-SME",
        contact="nguyen.minh@brvt.example.vn",
        presenters=(("株式会社京浜水質計測", "残留塩素連続測定器"),),
    ),
]


# ---------------------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------------------

ProgressFn = Callable[[int, int], None]


class _Loader:
    def __init__(self, session: Session, summary: DemoSummary) -> None:
        self.s = session
        self.summary = summary
        self.tech: dict[str, Technology] = {}
        self.orgs: dict[str, Organization] = {}
        self.contacts: dict[str, Contact] = {}
        self.staff: dict[str, Staff] = {}
        self.schemes: dict[str, Scheme] = {}
        self.projects: dict[str, Project] = {}
        self.facilities: dict[str, Facility] = {}
        # the generated tours' visitors, kept across the generated batches so that they fill the days as a
        # coordinator would
        self.tour_load = _TourLoad()

    def add(self, obj: Entity) -> None:
        self.s.add(obj)
        self.summary.count(type(obj).__tablename__)

    # -- partners ---------------------------------------------------------------------------------------------
    def technologies(self) -> None:
        existing = {t.code: t for t in self.s.scalars(select(Technology))}
        for code, ja, en, dac in TECHNOLOGIES:
            tech = existing.get(code)
            if tech is None:
                tech = Technology(code=code, name_ja=ja, name_en=en, dac_code=dac)
                self.add(tech)
            self.tech[code] = tech

    def organizations(self) -> None:
        existing = {(o.kind, o.name_ja): o for o in self.s.scalars(select(Organization))}
        for d in ORGANIZATIONS:
            org = existing.get((d.kind, d.name_ja))
            if org is None:
                org = Organization(
                    kind=d.kind,
                    name_ja=d.name_ja,
                    name_kana=d.name_kana,
                    name_en=d.name_en,
                    name_local=d.name_local,
                    abbreviation=d.abbreviation,
                    country=d.country,
                    city=d.city,
                    website=d.website,
                    notes=d.notes,
                    search_text=fold_all(d.name_ja, d.name_kana, d.name_en, d.name_local, d.abbreviation),
                    name_keys=organization_name_keys(d.name_ja, d.name_en),
                )
                self.add(org)
                if d.joined is not None:
                    status = MembershipStatus.LEFT if d.left else MembershipStatus.ACTIVE
                    membership = Membership(status=status, joined_on=d.joined, left_on=d.left)
                    org.memberships.append(membership)
                    self.summary.count(Membership.__tablename__)
                for code, product in d.technologies:
                    org.technologies.append(
                        OrganizationTechnology(technology=self.tech[code], product_name=product)
                    )
                    self.summary.count(OrganizationTechnology.__tablename__)
            self.orgs[d.name_ja] = org

    def people(self) -> None:
        emails = [p.email for p in CONTACTS]
        existing = {c.email: c for c in self.s.scalars(select(Contact).where(Contact.email.in_(emails)))}
        created: set[str] = set()
        for p in CONTACTS:
            contact = existing.get(p.email)
            if contact is None:
                contact = Contact(
                    family_name=p.family,
                    given_name=p.given,
                    family_kana=p.family_kana,
                    given_kana=p.given_kana,
                    name_en=p.name_en,
                    email=p.email,
                    phone=p.phone,
                    confirmed_on=p.confirmed_on,
                    notes=p.notes,
                    search_text=fold_all(p.family, p.given, p.family_kana, p.given_kana, p.name_en, p.email),
                )
                self.add(contact)
                for post in p.posts:
                    contact.employments.append(
                        Employment(
                            organization=self.orgs[post.org],
                            department=post.department,
                            title=post.title,
                            started_on=post.start,
                            ended_on=post.end,
                        )
                    )
                    self.summary.count(Employment.__tablename__)
                created.add(p.email)
            self.contacts[p.email] = contact
        for p in CONTACTS:
            if p.successor and p.email in created:
                self.contacts[p.email].successor = self.contacts[p.successor]

    def staff_members(self) -> None:
        existing = {s.staff_no: s for s in self.s.scalars(select(Staff))}
        for d in STAFF:
            staff = existing.get(d.staff_no)
            if staff is None:
                staff = Staff(
                    staff_no=d.staff_no,
                    family_name=d.family,
                    given_name=d.given,
                    family_kana=d.family_kana,
                    given_kana=d.given_kana,
                    name_en=d.name_en,
                    department=d.department,
                    position=d.position,
                    email=f"{d.name_en.split()[1].lower()}-{d.staff_no.lower()}@city.example.jp",
                    passport_expiry=d.passport_expiry,
                )
                self.add(staff)
                for lang, level in d.languages:
                    staff.languages.append(StaffLanguage(language=lang, level=level))
                    self.summary.count(StaffLanguage.__tablename__)
                for skill in d.skills:
                    staff.skills.append(StaffSkill(skill=skill))
                    self.summary.count(StaffSkill.__tablename__)
                for kind, name, done in d.trainings:
                    staff.trainings.append(StaffTraining(kind=kind, name=name, completed_on=done))
                    self.summary.count(StaffTraining.__tablename__)
            self.staff[d.staff_no] = staff

    # -- projects ---------------------------------------------------------------------------------------------
    def schemes_(self) -> None:
        existing = {s.code: s for s in self.s.scalars(select(Scheme))}
        for position, (code, ja, en, stages) in enumerate(SCHEMES):
            scheme = existing.get(code)
            if scheme is None:
                scheme = Scheme(code=code, name_ja=ja, name_en=en, position=position)
                self.add(scheme)
                for i, (scode, sja, sen, iati) in enumerate(stages):
                    scheme.stages.append(
                        SchemeStage(code=scode, name_ja=sja, name_en=sen, position=i, iati_status=iati)
                    )
                    self.summary.count(SchemeStage.__tablename__)
            self.schemes[code] = scheme

    def _stage(self, scheme: str, code: str | None) -> SchemeStage | None:
        if code is None:
            return None
        return next(st for st in self.schemes[scheme].stages if st.code == code)

    def projects_(self) -> None:
        existing = {p.code: p for p in self.s.scalars(select(Project))}
        for d in PROJECTS:
            project = existing.get(d.code)
            if project is None:
                project = Project(
                    code=d.code,
                    title_ja=d.title_ja,
                    title_en=d.title_en,
                    scheme=self.schemes[d.scheme],
                    country=d.country,
                    region=d.region,
                    counterpart=self.orgs[d.counterpart] if d.counterpart else None,
                    lead_staff=self.staff[d.lead] if d.lead else None,
                    start_on=d.start,
                    end_on=d.end,
                    budget_yen=d.budget_yen,
                    description=d.description,
                    next_action=d.next_action,
                    next_action_on=d.next_action_on,
                )
                self.add(project)
                stage: SchemeStage | None = None
                state = ProjectState.ACTIVE
                for stage_code, ev_state, on, note in d.events:
                    new_stage = self._stage(d.scheme, stage_code) if stage_code else stage
                    project.events.append(
                        StageEvent(
                            from_stage=stage, to_stage=new_stage, state=ev_state, occurred_on=on, note=note
                        )
                    )
                    self.summary.count(StageEvent.__tablename__)
                    stage, state = new_stage, ev_state
                project.stage, project.state = stage, state
                for org, role, note in d.participants:
                    project.participants.append(
                        ProjectParticipant(organization=self.orgs[org], role=role, note=note)
                    )
                    self.summary.count(ProjectParticipant.__tablename__)
                for target in d.sdg:
                    project.sdg_targets.append(ProjectSdgTarget(target=target))
                    self.summary.count(ProjectSdgTarget.__tablename__)
                for dac, pct in d.sectors:
                    project.sectors.append(ProjectSector(dac_code=dac, percentage=pct))
                    self.summary.count(ProjectSector.__tablename__)
            self.projects[d.code] = project

    def needs(self) -> None:
        topics = {
            n.topic
            for n in self.s.scalars(select(LocalNeed).where(LocalNeed.topic.in_([n[0] for n in NEEDS])))
        }
        for topic, desc, country, org, project, techs, learned, passed, source in NEEDS:
            if topic in topics:
                continue
            need = LocalNeed(
                topic=topic,
                description=desc,
                country=country,
                counterpart=self.orgs[org],
                project=self.projects[project],
                dac_code=self.tech[techs[0]].dac_code,
                source=source,
                learned_on=learned,
                passed_on=passed,
            )
            self.add(need)
            for code in techs:  # technologies were flushed by an earlier step: their ids are known
                need.technologies.append(NeedTechnology(technology_id=self.tech[code].id))
                self.summary.count(NeedTechnology.__tablename__)

    # -- dispatches -------------------------------------------------------------------------------------------
    def dispatches(self) -> None:
        existing = set(self.s.scalars(select(Dispatch.code)))
        for d in DISPATCHES:
            if d.code in existing:
                continue
            dispatch = Dispatch(
                code=d.code,
                title=d.title,
                title_en=d.title_en,
                purpose=d.purpose,
                status=d.status,
                country=d.country,
                city=d.city,
                timezone=d.timezone,
                departure_on=d.departure,
                return_on=d.return_,
                project=self.projects[d.project] if d.project else None,
                notes=d.notes,
            )
            self.add(dispatch)
            for who, role in d.members:
                if who in self.staff:
                    dispatch.members.append(DispatchMember(staff=self.staff[who], role=role))
                else:
                    dispatch.members.append(DispatchMember(contact=self.contacts[who], role=role))
                self.summary.count(DispatchMember.__tablename__)
            for i, leg in enumerate(d.legs):
                dispatch.legs.append(
                    ItineraryLeg(
                        kind=leg.kind,
                        starts_at=leg.start,
                        start_tz=_zone_name(leg.start),
                        ends_at=leg.end,
                        end_tz=_zone_name(leg.end),
                        origin=leg.origin,
                        destination=leg.destination,
                        reference=leg.reference,
                        details=leg.details,
                        position=i,
                    )
                )
                self.summary.count(ItineraryLeg.__tablename__)

    # -- tours ------------------------------------------------------------------------------------------------
    def facilities_(self) -> None:
        existing = {f.code: f for f in self.s.scalars(select(Facility))}
        for d in FACILITIES:
            facility = existing.get(d.code)
            if facility is None:
                facility = Facility(
                    code=d.code,
                    name_ja=d.name_ja,
                    name_en=d.name_en,
                    hall_name_ja=d.hall_ja,
                    hall_name_en=d.hall_en,
                    address=d.address,
                    address_en=d.address_en,
                    capacity=d.capacity,
                    timezone="Asia/Tokyo",
                    meeting_point_ja=d.meeting_ja,
                    meeting_point_en=d.meeting_en,
                )
                self.add(facility)
                for weekday in range(7):
                    if weekday < 5:
                        facility.weekdays.append(
                            FacilityWeekday(weekday=weekday, opens=d.opens, closes=d.closes)
                        )
                    else:
                        facility.weekdays.append(FacilityWeekday(weekday=weekday, closed=True))
                    self.summary.count(FacilityWeekday.__tablename__)
                for on, reason in [*_year_end_closures(2018, 2027), *d.maintenance]:
                    facility.closed_dates.append(ClosedDate(closed_on=on, reason=reason))
                    self.summary.count(ClosedDate.__tablename__)
                for code, ja, en, minutes, max_group, stops in d.courses:
                    course = Course(
                        code=code,
                        name_ja=ja,
                        name_en=en,
                        duration_min=minutes,
                        min_group=1,
                        max_group=max_group,
                        languages=["ja", "en"],
                    )
                    facility.courses.append(course)
                    self.summary.count(Course.__tablename__)
                    for i, (sja, sen, smin) in enumerate(stops):
                        course.stops.append(CourseStop(position=i, name_ja=sja, name_en=sen, minutes=smin))
                        self.summary.count(CourseStop.__tablename__)
            self.facilities[d.code] = facility

    def bookings(self) -> None:
        existing = set(self.s.scalars(select(Booking.code)))
        for d in BOOKINGS:
            if d.code in existing:
                continue
            contact = self.contacts[d.contact] if d.contact else None
            booking = Booking(
                code=d.code,
                group_name=d.group_name,
                group_name_en=d.group_name_en,
                visitor_type=d.visitor_type,
                training_course=d.training_course,
                organization=self.orgs[d.organization] if d.organization else None,
                country=d.country,
                countries=dict(d.countries),
                headcount=d.headcount,
                languages=list(d.languages),
                interpreter_needed=d.interpreter,
                interests=d.interests,
                contact=contact,
                contact_name=f"{contact.family_name} {contact.given_name}" if contact else "",
                contact_email=contact.email if contact else "",
                status=d.status,
                project_id=self.projects[d.project].id if d.project else None,
                transport_notes=d.transport,
            )
            self.add(booking)
            for seg in d.segments:
                facility = self.facilities[seg.facility]
                course = next((c for c in facility.courses if c.code == seg.course), None)
                segment = BookingSegment(
                    facility=facility,
                    course=course,
                    starts_at=seg.start,
                    ends_at=seg.end,
                    meeting_point=facility.meeting_point_ja,
                )
                booking.segments.append(segment)
                self.summary.count(BookingSegment.__tablename__)
                for staff_no in dict.fromkeys(seg.guides):
                    segment.staff.append(SegmentStaff(staff=self.staff[staff_no], role=SegmentRole.GUIDE))
                    self.summary.count(SegmentStaff.__tablename__)
            for org, topic in d.presenters:
                booking.presenters.append(BookingPresenter(organization=self.orgs[org], topic=topic))
                self.summary.count(BookingPresenter.__tablename__)


def _zone_name(value: datetime) -> str:
    tz = value.tzinfo
    return tz.key if isinstance(tz, ZoneInfo) else "UTC"


def _year_end_closures(first: int, last: int) -> list[tuple[date, str]]:
    """年末年始: December 29 to January 3 for every winter from ``first`` to ``last``."""
    days: list[tuple[date, str]] = []
    for year in range(first, last + 1):
        start = date(year, 12, 29)
        days.extend((start + timedelta(days=i), "年末年始") for i in range(6))
    return days


# ---------------------------------------------------------------------------------------------------------------
# Generated volume
# ---------------------------------------------------------------------------------------------------------------

_FAMILY = [
    ("佐藤", "サトウ", "Sato"),
    ("鈴木", "スズキ", "Suzuki"),
    ("高橋", "タカハシ", "Takahashi"),
    ("田中", "タナカ", "Tanaka"),
    ("伊藤", "イトウ", "Ito"),
    ("渡辺", "ワタナベ", "Watanabe"),
    ("山本", "ヤマモト", "Yamamoto"),
    ("中村", "ナカムラ", "Nakamura"),
    ("小林", "コバヤシ", "Kobayashi"),
    ("加藤", "カトウ", "Kato"),
    ("吉田", "ヨシダ", "Yoshida"),
    ("山田", "ヤマダ", "Yamada"),
    ("佐々木", "ササキ", "Sasaki"),
    ("松本", "マツモト", "Matsumoto"),
    ("井上", "イノウエ", "Inoue"),
]
_GIVEN = [
    ("翔", "ショウ", "Sho"),
    ("陽菜", "ヒナ", "Hina"),
    ("大輝", "ダイキ", "Daiki"),
    ("結衣", "ユイ", "Yui"),
    ("蓮", "レン", "Ren"),
    ("美咲", "ミサキ", "Misaki"),
    ("拓海", "タクミ", "Takumi"),
    ("葵", "アオイ", "Aoi"),
    ("健太", "ケンタ", "Kenta"),
    ("愛", "アイ", "Ai"),
]
_ORG_STEMS = [
    ("あおば", "アオバ", "Aoba"),
    ("みなと", "ミナト", "Minato"),
    ("さくら", "サクラ", "Sakura"),
    ("ひかり", "ヒカリ", "Hikari"),
    ("しおかぜ", "シオカゼ", "Shiokaze"),
    ("たまがわ", "タマガワ", "Tamagawa"),
    ("けやき", "ケヤキ", "Keyaki"),
    ("つばさ", "ツバサ", "Tsubasa"),
]
_ORG_KINDS = [
    ("水処理", "スイショリ", "Water Treatment"),
    ("計装", "ケイソウ", "Instrumentation"),
    ("管工", "カンコウ", "Pipeworks"),
    ("環境技研", "カンキョウギケン", "Environmental Engineering"),
]
_COUNTRIES = [
    ("LA", "Asia/Vientiane", "Vientiane"),
    ("VN", "Asia/Ho_Chi_Minh", "Hanoi"),
    ("ID", "Asia/Jakarta", "Jakarta"),
    ("KH", "Asia/Phnom_Penh", "Phnom Penh"),
    ("MM", "Asia/Yangon", "Yangon"),
    ("PH", "Asia/Manila", "Manila"),
    ("TH", "Asia/Bangkok", "Bangkok"),
    ("LK", "Asia/Colombo", "Colombo"),
    ("KE", "Africa/Nairobi", "Nairobi"),
    ("BR", "America/Sao_Paulo", "São Paulo"),
]


def _next_batch(session: Session) -> int:
    last = session.scalar(select(func.max(Project.code)).where(Project.code.like(f"{GENERATED_PREFIX}%")))
    if not last:
        return 1
    return int(last[len(GENERATED_PREFIX) :].split("-")[0]) + 1


def _bulk(session: Session, model: type[Entity], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in bulk; the ids come back in the order of ``rows``.

    PostgreSQL: one batched INSERT ... RETURNING ordered by a sentinel (SQLAlchemy's "insertmanyvalues").
    SQLite cannot order RETURNING rows, so SQLAlchemy would send one INSERT per row (10x slower); instead one
    plain executemany, then the new ids read back: inside the write transaction SQLite gives an INTEGER PRIMARY
    KEY the next number after the largest, in the order of the rows.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name != "sqlite":
        stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
        return list(session.scalars(stmt, list(rows)).all())
    before = session.scalar(select(func.max(model.id))) or 0
    session.execute(insert(model), list(rows))
    ids = list(session.scalars(select(model.id).where(model.id > before).order_by(model.id)))
    # only if another writer got in, which SQLite's write lock prevents
    if len(ids) != len(rows):  # pragma: no cover
        raise RuntimeError(f"bulk insert into {model.__tablename__}: {len(ids)} ids for {len(rows)} rows")
    return ids


class _Generator:
    def __init__(self, session: Session, batch: int, loader: _Loader) -> None:
        self.s = session
        self.rng = random.Random(batch)
        self.prefix = f"{GENERATED_PREFIX}{batch:04d}-"
        self.user = str(session.info.get("user", "") or "demo")
        self.now = utcnow()
        self.loader = loader
        self.counts: dict[str, int] = {}

    def _base(self) -> dict[str, Any]:
        return {
            "version": 1,
            "created_at": self.now,
            "updated_at": self.now,
            "created_by": self.user,
            "updated_by": self.user,
        }

    def insert(self, model: type[Entity], rows: list[dict[str, Any]]) -> list[int]:
        base = self._base()
        ids = _bulk(self.s, model, [{**base, **row} for row in rows])
        self.counts[model.__tablename__] = self.counts.get(model.__tablename__, 0) + len(ids)
        return ids

    def _date(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def partners(self) -> tuple[list[int], list[int]]:
        rng = self.rng
        orgs: list[dict[str, Any]] = []
        kinds = (
            [OrganizationKind.MEMBER] * 5
            + [OrganizationKind.COUNTERPART] * 4
            + [OrganizationKind.COOPERATING]
        )
        for i in range(UNIT["organizations"]):
            kind = rng.choice(kinds)
            stem, stem_kana, stem_en = rng.choice(_ORG_STEMS)
            what, what_kana, what_en = rng.choice(_ORG_KINDS)
            country = "JP" if kind != OrganizationKind.COUNTERPART else rng.choice(_COUNTRIES)[0]
            ja = (
                f"{stem}{what}{i:03d}株式会社"
                if kind == OrganizationKind.MEMBER
                else f"{stem}{what}公社{i:03d}"
            )
            kana = f"{stem_kana}{what_kana}"
            en = f"{stem_en} {what_en} {self.prefix}{i:03d}"
            orgs.append(
                {
                    "kind": kind,
                    "name_ja": ja,
                    "name_kana": kana,
                    "name_en": en,
                    "country": country,
                    "abbreviation": f"{self.prefix}O{i:03d}",
                    "search_text": fold_all(ja, kana, en),
                    "name_keys": organization_name_keys(ja, en),
                }
            )
        org_ids = self.insert(Organization, orgs)
        members = [
            oid for oid, row in zip(org_ids, orgs, strict=True) if row["kind"] == OrganizationKind.MEMBER
        ]
        self.insert(
            Membership,
            [
                {
                    "organization_id": oid,
                    "status": MembershipStatus.ACTIVE,
                    "joined_on": self._date(date(2012, 8, 1), date(2026, 4, 1)),
                }
                for oid in members
            ],
        )
        tech_ids = [t.id for t in self.loader.tech.values()]
        self.insert(
            OrganizationTechnology,
            [
                {"organization_id": oid, "technology_id": tid, "product_name": ""}
                for oid in members
                for tid in rng.sample(tech_ids, 2)
            ],
        )
        contacts: list[dict[str, Any]] = []
        for i in range(UNIT["contacts"]):
            fam, fam_kana, fam_en = rng.choice(_FAMILY)
            giv, giv_kana, giv_en = rng.choice(_GIVEN)
            email = f"{fam_en.lower()}.{giv_en.lower()}.{self.prefix.lower()}{i:05d}@demo.example.jp"
            contacts.append(
                {
                    "family_name": fam,
                    "given_name": giv,
                    "family_kana": fam_kana,
                    "given_kana": giv_kana,
                    "name_en": f"{giv_en} {fam_en}",
                    "email": email,
                    "confirmed_on": self._date(date(2022, 4, 1), date(2026, 10, 1)),
                    "search_text": fold_all(fam, giv, fam_kana, giv_kana, f"{giv_en} {fam_en}", email),
                }
            )
        contact_ids = self.insert(Contact, contacts)
        self.insert(
            Employment,
            [
                {
                    "contact_id": cid,
                    "organization_id": rng.choice(org_ids),
                    "department": "",
                    "title": rng.choice(["課長", "係長", "主任", "Manager", "Engineer"]),
                    "started_on": date(2026 - rng.randrange(10), 4, 1),
                }
                for cid in contact_ids
            ],
        )
        return org_ids, contact_ids

    def staff(self) -> list[int]:
        rows = []
        for i in range(UNIT["staff"]):
            fam, fam_kana, fam_en = self.rng.choice(_FAMILY)
            giv, giv_kana, giv_en = self.rng.choice(_GIVEN)
            rows.append(
                {
                    "staff_no": f"{self.prefix}S{i:03d}",
                    "family_name": fam,
                    "given_name": giv,
                    "family_kana": fam_kana,
                    "given_kana": giv_kana,
                    "name_en": f"{giv_en} {fam_en}",
                    "department": self.rng.choice(["水道部", "下水道部", INTL]),
                    "active": True,
                    "passport_expiry": self._date(date(2026, 1, 1), date(2034, 12, 31)),
                }
            )
        ids = self.insert(Staff, rows)
        self.insert(StaffSkill, [{"staff_id": sid, "skill": self.rng.choice(list(Skill))} for sid in ids])
        self.insert(
            StaffLanguage,
            [
                {"staff_id": sid, "language": "en", "level": self.rng.choice(list(LanguageLevel))}
                for sid in ids
            ],
        )
        return ids

    def projects(self, org_ids: list[int]) -> list[int]:
        schemes = list(self.loader.schemes.values())
        rows, stage_of = [], []
        for i in range(UNIT["projects"]):
            scheme = self.rng.choice(schemes)
            stage = self.rng.choice(scheme.stages)
            country = self.rng.choice(_COUNTRIES)[0]
            start = self._date(date(2018, 4, 1), date(2027, 3, 31))
            rows.append(
                {
                    "code": f"{self.prefix}P{i:04d}",
                    "title_ja": f"生成案件 {i:04d}({country})",
                    "title_en": f"Generated project {i:04d} ({country})",
                    "scheme_id": scheme.id,
                    "stage_id": stage.id,
                    "state": ProjectState.ACTIVE,
                    "country": country,
                    "counterpart_id": self.rng.choice(org_ids),
                    "start_on": start,
                }
            )
            stage_of.append((stage.id, start))
        ids = self.insert(Project, rows)
        self.insert(
            StageEvent,
            [
                {
                    "project_id": pid,
                    "to_stage_id": sid,
                    "state": ProjectState.ACTIVE,
                    "occurred_on": start,
                    "note": "",
                }
                for pid, (sid, start) in zip(ids, stage_of, strict=True)
            ],
        )
        self.insert(
            ProjectParticipant,
            [
                {"project_id": pid, "organization_id": self.rng.choice(org_ids), "role": 4, "note": ""}
                for pid in ids
            ],
        )
        self.insert(
            ProjectSdgTarget,
            [{"project_id": pid, "target": self.rng.choice(["6.1", "6.2", "6.3", "6.a"])} for pid in ids],
        )
        return ids

    def dispatches(self, staff_ids: list[int], project_ids: list[int]) -> None:
        rows, legs_for = [], []
        for i in range(UNIT["dispatches"]):
            country, zone, city = self.rng.choice(_COUNTRIES)
            depart = self._date(date(2018, 4, 1), date(2028, 3, 31))
            back = depart + timedelta(days=self.rng.randrange(3, 15))
            status = (
                DispatchStatus.COMPLETED
                if back < date(2026, 11, 23)
                else self.rng.choice(
                    [DispatchStatus.PLANNED, DispatchStatus.TENTATIVE, DispatchStatus.CONFIRMED]
                )
            )
            rows.append(
                {
                    "code": f"{self.prefix}D{i:04d}",
                    "title": f"生成派遣 {i:04d}",
                    "title_en": f"Generated dispatch {i:04d}",
                    "purpose": self.rng.choice(list(DispatchPurpose)),
                    "status": status,
                    "country": country,
                    "city": city,
                    "timezone": zone,
                    "departure_on": depart,
                    "return_on": back,
                    "project_id": self.rng.choice(project_ids),
                    "notes": "",
                }
            )
            legs_for.append((zone, city, depart, back))
        ids = self.insert(Dispatch, rows)
        members = []
        for did in ids:
            for role, sid in zip(
                [MemberRole.LEADER, MemberRole.MEMBER],
                self.rng.sample(staff_ids, self.rng.randrange(1, 3)),
                strict=False,
            ):
                members.append({"dispatch_id": did, "staff_id": sid, "role": role})
        self.insert(DispatchMember, members)
        legs: list[dict[str, Any]] = []
        for did, (zone, city, depart, back) in zip(ids, legs_for, strict=True):
            out_start = datetime.combine(depart, time(10, 30), JST)
            back_start = datetime.combine(back, time(15, 0), ZoneInfo(zone))
            hours = timedelta(hours=self.rng.randrange(5, 12))
            legs.append(
                {
                    "dispatch_id": did,
                    "kind": LegKind.FLIGHT,
                    "starts_at": out_start,
                    "start_tz": "Asia/Tokyo",
                    "ends_at": out_start + hours,
                    "end_tz": zone,
                    "origin": HND,
                    "destination": city,
                    "position": 0,
                }
            )
            legs.append(
                {
                    "dispatch_id": did,
                    "kind": LegKind.FLIGHT,
                    "starts_at": back_start,
                    "start_tz": zone,
                    "ends_at": back_start + hours,
                    "end_tz": "Asia/Tokyo",
                    "origin": city,
                    "destination": HND,
                    "position": 1,
                }
            )
        self.insert(
            ItineraryLeg,
            [
                {
                    **leg,
                    "starts_at": leg["starts_at"].astimezone(UTC),
                    "ends_at": leg["ends_at"].astimezone(UTC),
                }
                for leg in legs
            ],
        )

    def bookings(self, staff_ids: list[int], org_ids: list[int]) -> None:
        facilities = list(self.loader.facilities.values())
        rows: list[dict[str, Any]] = []
        segs_for: list[date] = []
        for i in range(UNIT["bookings"]):
            # since 1990, as Kitakyushu's records (a plant takes a few groups a day, not dozens)
            day = self._date(date(1990, 4, 2), date(2028, 3, 31))
            while day.weekday() >= 5:  # drawn again (moving to Monday would crowd Mondays)
                day = self._date(date(1990, 4, 2), date(2028, 3, 31))
            vtype = self.rng.choice(list(VisitorType))
            country = self.rng.choice(_COUNTRIES)[0]
            status = (
                BookingStatus.COMPLETED
                if day < date(2026, 11, 23)
                else self.rng.choice(
                    [BookingStatus.REQUESTED, BookingStatus.TENTATIVE, BookingStatus.CONFIRMED]
                )
            )
            rows.append(
                {
                    "code": f"{self.prefix}V{i:05d}",
                    "group_name": f"生成視察団 {i:05d}",
                    "group_name_en": f"Generated group {i:05d}",
                    "visitor_type": vtype,
                    "country": country,
                    "countries": {},
                    "headcount": self.rng.randrange(2, 30),
                    "languages": ["en"],
                    "status": status,
                    "organization_id": self.rng.choice(org_ids),
                }
            )
            segs_for.append(day)
        ids = self.insert(Booking, rows)
        segments, seg_days = [], []
        booked = self.loader.tour_load
        for bid, day, row in zip(ids, segs_for, rows, strict=True):
            headcount = row["headcount"]
            both = self.rng.random() < 0.5
            chosen = self.rng.sample(facilities, len(facilities))
            if not both:  # one facility: one where the group still fits that day, if any
                all_starts = range(len(_TOUR_STARTS))
                fitting = (f for f in chosen if any(booked.fits(f, day, k, headcount) for k in all_starts))
                chosen = [next(fitting, chosen[0])]
            after = -1  # the first facility's start time: the second one's tour comes a slot later (travel)
            for facility in chosen:
                # placed where the group still fits, as a coordinator would: over capacity only on a full day
                if not both:
                    starts = list(range(len(_TOUR_STARTS)))
                elif after < 0:
                    starts = list(range(len(_TOUR_STARTS) - 2))
                else:
                    starts = list(range(after + 2, len(_TOUR_STARTS)))
                self.rng.shuffle(starts)
                k = next(
                    (k for k in starts if booked.fits(facility, day, k, headcount)),
                    min(starts, key=lambda k: booked[(facility.id, day, k)]),
                )
                booked[(facility.id, day, k)] += headcount
                after, slot = k, _TOUR_STARTS[k]
                start = datetime.combine(day, slot, JST)
                course = facility.courses[0] if facility.courses else None
                segments.append(
                    {
                        "booking_id": bid,
                        "facility_id": facility.id,
                        "course_id": course.id if course else None,
                        "starts_at": start.astimezone(UTC),
                        "ends_at": (start + timedelta(minutes=105)).astimezone(UTC),
                        "meeting_point": facility.meeting_point_ja,
                        "notes": "",
                    }
                )
                seg_days.append(day)
        seg_ids = self.insert(BookingSegment, segments)
        self.insert(
            SegmentStaff,
            [
                {"segment_id": sid, "staff_id": self.rng.choice(staff_ids), "role": SegmentRole.GUIDE}
                for sid in seg_ids
            ],
        )


# the start times of the generated tours (105 minutes each, inside the facilities' 9:00-16:30)
_TOUR_STARTS: Final = (time(9, 0), time(10, 45), time(13, 0), time(14, 45))


class _TourLoad(Counter[tuple[int, date, int]]):
    """Visitors of the generated tours at a facility id, day and start time (an index into ``_TOUR_STARTS``)."""

    def fits(self, facility: Facility, day: date, start: int, headcount: int) -> bool:
        return self[(facility.id, day, start)] + headcount <= facility.capacity


# ---------------------------------------------------------------------------------------------------------------


def load_demo(session: Session, *, scale: int = 0, progress: ProgressFn | None = None) -> DemoSummary:
    """Add the demo records (idempotent) and ``scale`` units of generated volume. Flushes; the caller commits."""
    if scale < 0:
        raise ValueError("scale must not be negative")
    summary = DemoSummary()
    loader = _Loader(session, summary)
    real_steps: list[Callable[[], None]] = [
        loader.technologies,
        loader.organizations,
        loader.people,
        loader.staff_members,
        loader.schemes_,
        loader.facilities_,
        loader.projects_,
        loader.needs,
        loader.dispatches,
        loader.bookings,
    ]
    gen_steps_per_unit = 5
    total = len(real_steps) + scale * gen_steps_per_unit
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    for run in real_steps:
        run()
        session.flush()
        step()

    for _unit in range(scale):
        gen = _Generator(session, _next_batch(session), loader)
        org_ids, _contacts = gen.partners()
        step()
        staff_ids = gen.staff()
        step()
        project_ids = gen.projects(org_ids)
        step()
        gen.dispatches(staff_ids, project_ids)
        step()
        gen.bookings(staff_ids, org_ids)
        step()
        for table, n in gen.counts.items():
            summary.generated[table] = summary.generated.get(table, 0) + n
    return summary
