"""Who works at and who calls the demo desk. Plain data: no database, no randomness."""

from dataclasses import dataclass, field
from datetime import date

# One password per role, documented in README.md and printed by `make run`.
PASSWORDS = {
    "admin": "gongdan-admin",
    "lead": "gongdan-lead",
    "agent": "gongdan-agent",
    "department": "gongdan-staff",
    "customer": "gongdan-customer",
}

ROLE_LABELS = {
    "admin": ("管理员", "Administrator"),
    "lead": ("组长 / 值班经理", "Team lead / duty manager"),
    "agent": ("客服坐席", "Agent"),
    "department": ("部门人员", "Department staff"),
    "field": ("现场工程师", "Field engineer"),
    "customer": ("客户", "Customer"),
}

# The demo is loaded when this account exists (see builder.is_loaded).
ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@gongdan.demo"


@dataclass(frozen=True)
class TeamData:
    code: str
    name_zh: str
    name_en: str
    kind: str  # accounts.constants.TeamKind
    lead: str  # username
    parent: str | None = None
    email: str = ""


TEAMS = [
    TeamData("kefu-1", "客服一组", "Service desk 1", "service", "lead_zhao", email="kefu1@gongdan.demo"),
    TeamData("kefu-2", "客服二组", "Service desk 2", "service", "lead_qian", email="kefu2@gongdan.demo"),
    TeamData("tech-support", "技术支持部", "Technical support", "department", "tech_sun"),
    TeamData("supply-chain", "供应链中心", "Supply chain centre", "department", "scm_han"),
    TeamData("purchasing", "采购部", "Purchasing", "department", "buyer_zheng", parent="supply-chain"),
    TeamData("logistics", "物流部", "Logistics", "department", "logistics_he"),
    TeamData("finance", "财务部", "Finance", "department", "finance_xu"),
    TeamData("field-service", "现场服务", "Field service", "field", "field_ma"),
]


@dataclass(frozen=True)
class SkillData:
    code: str
    name_zh: str
    name_en: str


SKILLS = [
    SkillData("account", "账号与登录", "Accounts and login"),
    SkillData("web", "网页与前端访问", "Web and front-end access"),
    SkillData("payments", "支付与退款", "Payments and refunds"),
    SkillData("printer", "打印设备", "Printers"),
    SkillData("hardware", "硬件终端", "Hardware and terminals"),
    SkillData("network", "网络设备", "Networking"),
    SkillData("appliance", "家电维修", "Home appliances"),
    SkillData("inventory", "库存与订单", "Inventory and orders"),
    SkillData("system", "系统运维", "Systems operations"),
    SkillData("complaint", "投诉安抚", "Complaint handling"),
    SkillData("vip", "VIP 服务", "VIP care"),
    SkillData("english", "英文服务", "English-language service"),
    SkillData("field-repair", "现场维修", "On-site repair"),
]

WEEKDAYS = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class StaffData:
    username: str
    display_name: str
    role: str  # admin, lead, agent, department
    teams: tuple[str, ...]
    skills: dict[str, int] = field(default_factory=dict)
    # (weekdays, "HH:MM", "HH:MM"); an end before the start is an overnight shift
    shifts: tuple[tuple[tuple[int, ...], str, str], ...] = ()
    availability: str = "off"
    language: str = "zh-hans"
    phone: str = ""
    is_field_engineer: bool = False

    @property
    def email(self) -> str:
        return f"{self.username.replace('_', '.')}@gongdan.demo"


STAFF = [
    StaffData("admin", "系统管理员 / Admin", "admin", (), shifts=((WEEKDAYS, "09:00", "18:00"),)),
    StaffData(
        "lead_zhao",
        "赵敏",
        "lead",
        ("kefu-1",),
        {"complaint": 5, "vip": 4, "account": 4},
        ((WEEKDAYS, "09:00", "18:00"),),
        "on_shift",
        phone="+8613800100001",
    ),
    StaffData(
        "lead_qian",
        "钱磊",
        "lead",
        ("kefu-2",),
        {"printer": 4, "hardware": 4, "system": 3},
        ((WEEKDAYS, "09:00", "18:00"),),
        "on_shift",
        phone="+8613800100002",
    ),
    StaffData(
        "duty_gao",
        "高静（值班经理）",
        "lead",
        ("kefu-1", "kefu-2"),
        {"complaint": 4, "system": 4, "vip": 4},
        (((5, 6), "09:00", "21:00"), (WEEKDAYS, "18:00", "23:00")),
        "on_shift",
        phone="+8613800100003",
    ),
    StaffData(
        "agent_li",
        "李娜",
        "agent",
        ("kefu-1",),
        {"account": 5, "web": 4, "payments": 3, "vip": 4},
        ((WEEKDAYS, "09:00", "18:00"),),
        "on_shift",
    ),
    StaffData(
        "agent_wang",
        "王强",
        "agent",
        ("kefu-1",),
        {"payments": 5, "account": 3, "complaint": 4},
        ((WEEKDAYS, "09:00", "18:00"), ((5,), "10:00", "16:00")),
        "on_shift",
    ),
    StaffData(
        "agent_chen",
        "陈静",
        "agent",
        ("kefu-1",),
        {"web": 4, "inventory": 3, "english": 3, "account": 3},
        (((1, 2, 3, 4, 5), "12:00", "21:00"),),
        "on_break",
    ),
    StaffData(
        "agent_zhou",
        "周婷",
        "agent",
        ("kefu-1",),
        {"vip": 5, "complaint": 5, "account": 4, "payments": 4},
        ((WEEKDAYS, "08:30", "17:30"),),
        "on_shift",
    ),
    StaffData(
        "agent_liu",
        "刘畅",
        "agent",
        ("kefu-2",),
        {"printer": 5, "hardware": 4, "network": 3, "system": 3},
        ((WEEKDAYS, "09:00", "18:00"),),
        "on_shift",
    ),
    StaffData(
        "agent_yang",
        "杨帆",
        "agent",
        ("kefu-2",),
        {"appliance": 5, "hardware": 3, "inventory": 4},
        ((WEEKDAYS, "10:00", "19:00"),),
        "on_shift",
    ),
    StaffData(
        "agent_huang",
        "黄磊",
        "agent",
        ("kefu-2",),
        {"system": 4, "network": 4, "printer": 3, "payments": 2},
        (((6, 0, 1, 2, 3), "22:00", "07:00"),),
        "off",
    ),
    StaffData(
        "agent_emma",
        "Emma Wilson",
        "agent",
        ("kefu-2",),
        {"english": 5, "web": 3, "payments": 3, "account": 3, "inventory": 2},
        ((WEEKDAYS, "14:00", "23:00"),),
        "on_shift",
        language="en",
    ),
    StaffData("tech_sun", "孙浩", "department", ("tech-support",), {"system": 5, "network": 4, "web": 4}),
    StaffData("tech_wu", "吴迪", "department", ("tech-support",), {"system": 4, "web": 5, "account": 4}),
    StaffData("scm_han", "韩梅", "department", ("supply-chain",), {"inventory": 5}),
    StaffData("buyer_zheng", "郑雪", "department", ("purchasing",), {"inventory": 4}),
    StaffData("logistics_he", "何军", "department", ("logistics",), {"inventory": 4}),
    StaffData("finance_xu", "徐丽", "department", ("finance",), {"payments": 5}),
    StaffData(
        "field_ma",
        "马建军",
        "department",
        ("field-service",),
        {"field-repair": 5, "appliance": 5, "printer": 4},
        ((WEEKDAYS, "08:00", "17:00"),),
        "on_shift",
        phone="+8613900200001",
        is_field_engineer=True,
    ),
    StaffData(
        "field_hu",
        "胡斌",
        "department",
        ("field-service",),
        {"field-repair": 4, "hardware": 4, "network": 4},
        (((0, 1, 2, 3, 4, 5), "08:00", "17:00"),),
        "on_shift",
        phone="+8613900200002",
        is_field_engineer=True,
    ),
    StaffData(
        "field_lin",
        "林峰",
        "department",
        ("field-service",),
        {"field-repair": 4, "appliance": 4},
        (((2, 3, 4, 5, 6), "09:00", "18:00"),),
        "off",
        phone="+8613900200003",
        is_field_engineer=True,
    ),
]

STAFF_BY_USERNAME = {s.username: s for s in STAFF}


def office_ip(username: str) -> str:
    return f"10.20.{8 + STAFF.index(STAFF_BY_USERNAME[username]) // 8}.{21 + STAFF.index(STAFF_BY_USERNAME[username])}"


@dataclass(frozen=True)
class OrganizationData:
    key: str
    name: str
    domain: str
    tier: str  # customers.constants.Tier
    share_tickets: bool = False


ORGANIZATIONS = [
    OrganizationData("hdzz", "华东智造科技有限公司", "hdzz.example.cn", "vip", share_tickets=True),
    OrganizationData("xinyuan", "鑫源连锁零售集团", "xinyuan-retail.example.cn", "gold", share_tickets=True),
    OrganizationData("renhe", "仁和医疗信息服务有限公司", "renhe-med.example.cn", "silver"),
    OrganizationData("lanhai", "蓝海跨境电商", "lanhai-ec.example.cn", "gold"),
    OrganizationData("jinghui", "晶辉光伏组件有限公司", "jinghui-pv.example.cn", "vip"),
    OrganizationData("qiming", "启明在线教育", "qiming-edu.example.cn", "standard"),
    OrganizationData("northwind", "Northwind Trading Ltd.", "northwind.example.com", "standard"),
]


@dataclass(frozen=True)
class DeviceData:
    serial_number: str
    model: str
    kind: str  # printer, display, network, pos, scanner, aircon, washer, fridge, line, server
    location: str
    installed_at: date


@dataclass(frozen=True)
class CustomerData:
    key: str
    name: str
    segment: str  # enterprise, store, home
    email: str
    phone: str
    tier: str = "standard"
    org: str | None = None
    language: str = "zh-hans"
    timezone: str = "Asia/Shanghai"
    username: str | None = None  # portal login
    wecom: str = ""
    dingtalk: str = ""
    wechat: str = ""
    crm: str = ""
    sees_organization_tickets: bool = False
    notes: str = ""
    devices: tuple[DeviceData, ...] = ()
    store_id: str = ""


def _d(sn: str, model: str, kind: str, location: str, installed: str) -> DeviceData:
    return DeviceData(sn, model, kind, location, date.fromisoformat(installed))


CUSTOMERS = [
    CustomerData(
        "zhangwei",
        "张伟",
        "enterprise",
        "zhang.wei@hdzz.example.cn",
        "+8613812345678",
        tier="vip",
        org="hdzz",
        username="zhangwei",
        wecom="ZhangWei",
        crm="CRM-100231",
        sees_organization_tickets=True,
        notes="IT 经理，VIP 绿色通道联系人 / IT manager, VIP green-channel contact",
        devices=(
            _d("CNB3K12345", "HP LaserJet Pro M404dn", "printer", "上海市松江区新桥镇华东智造 2 号楼 3F", "2024-03-18"),
            _d(
                "DL-U2723-7F3K2", "Dell U2723QE 显示器", "display", "上海市松江区新桥镇华东智造 2 号楼 3F", "2024-06-02"
            ),
            _d("HW-AR6120-0091", "华为 AR6120 企业路由器", "network", "上海市松江区新桥镇华东智造机房", "2023-11-20"),
        ),
    ),
    CustomerData(
        "zhoujie",
        "周杰",
        "enterprise",
        "zhou.jie@hdzz.example.cn",
        "+8613912340001",
        tier="vip",
        org="hdzz",
        wecom="ZhouJie",
        crm="CRM-100232",
        notes="生产部主管 / production supervisor",
        devices=(
            _d("MES-LINE-A3-0007", "SMT 贴片线 A3 控制柜", "line", "上海市松江区华东智造 1 号车间 A3 线", "2022-09-01"),
        ),
    ),
    CustomerData(
        "wumin",
        "吴敏",
        "enterprise",
        "wu.min@hdzz.example.cn",
        "+8613512340002",
        tier="vip",
        org="hdzz",
        wecom="WuMin",
        crm="CRM-100233",
        devices=(_d("BRO-L2350-5521", "Brother HL-L2350DW", "printer", "上海市松江区华东智造财务室", "2024-01-09"),),
    ),
    CustomerData(
        "wangfang",
        "王芳",
        "store",
        "wang.fang@xinyuan-retail.example.cn",
        "+8613611110001",
        tier="gold",
        org="xinyuan",
        wecom="WangFang",
        crm="CRM-200118",
        sees_organization_tickets=True,
        notes="门店运营总监，管理华东 40 家门店 / store operations director",
        store_id="HQ-001",
    ),
    CustomerData(
        "zhaoqiang",
        "赵强",
        "store",
        "zhao.qiang@xinyuan-retail.example.cn",
        "+8613611110217",
        tier="gold",
        org="xinyuan",
        wecom="ZhaoQiang0217",
        crm="CRM-200119",
        store_id="SH-0217",
        devices=(
            _d("PAX-A920-88213", "PAX A920 POS 终端", "pos", "上海市徐汇区漕溪北路 0217 门店收银台 1", "2024-04-11"),
            _d("HON-1950G-30021", "Honeywell 1950g 扫码枪", "scanner", "上海市徐汇区 0217 门店收银台 2", "2024-04-11"),
        ),
    ),
    CustomerData(
        "sunli",
        "孙丽",
        "store",
        "sun.li@xinyuan-retail.example.cn",
        "+8613611111088",
        tier="gold",
        org="xinyuan",
        wecom="SunLi1088",
        crm="CRM-200120",
        store_id="HZ-1088",
        devices=(
            _d("PAX-A920-90544", "PAX A920 POS 终端", "pos", "杭州市西湖区文三路 1088 门店", "2025-02-20"),
            _d("EPS-TM30-44120", "Epson TM-T82III 小票打印机", "printer", "杭州市西湖区文三路 1088 门店", "2025-02-20"),
        ),
    ),
    CustomerData(
        "hejing",
        "何静",
        "enterprise",
        "he.jing@renhe-med.example.cn",
        "+8613712340101",
        tier="silver",
        org="renhe",
        dingtalk="hejing_renhe",
        crm="CRM-300045",
        notes="检验科信息专员：检验科打印机故障按 P0 处理 / lab printers are critical",
        devices=(
            _d(
                "RICOH-IMC3000-2211",
                "理光 IM C3000 复印打印一体机",
                "printer",
                "苏州市姑苏区仁和医院检验科",
                "2023-08-15",
            ),
        ),
    ),
    CustomerData(
        "machao",
        "马超",
        "enterprise",
        "ma.chao@renhe-med.example.cn",
        "+8613712340102",
        tier="silver",
        org="renhe",
        dingtalk="machao_renhe",
        crm="CRM-300046",
        devices=(_d("DL-P2422-11K90", "Dell P2422H 显示器", "display", "苏州市姑苏区仁和医院门诊 2 楼", "2024-10-08"),),
    ),
    CustomerData(
        "linxiao",
        "林晓",
        "enterprise",
        "lin.xiao@lanhai-ec.example.cn",
        "+8615012340201",
        tier="gold",
        org="lanhai",
        wecom="LinXiao",
        crm="CRM-400077",
        notes="跨境店铺运营，关注大促期间支付与发货 / cross-border store ops",
    ),
    CustomerData(
        "gaofeng",
        "高峰",
        "enterprise",
        "gao.feng@lanhai-ec.example.cn",
        "+8615012340202",
        tier="gold",
        org="lanhai",
        wecom="GaoFeng",
        crm="CRM-400078",
    ),
    CustomerData(
        "luojun",
        "罗军",
        "enterprise",
        "luo.jun@jinghui-pv.example.cn",
        "+8618912340301",
        tier="vip",
        org="jinghui",
        dingtalk="luojun_pv",
        crm="CRM-500012",
        notes="产线异常停机由 MES 自动报警 / line stoppages arrive from MES",
        devices=(
            _d("MES-PV-L2-0003", "光伏层压线 L2 控制柜", "line", "江苏省常州市武进区晶辉光伏 2 号厂房", "2021-05-30"),
            _d("SRV-R750-6631", "Dell PowerEdge R750 MES 服务器", "server", "江苏省常州市晶辉光伏机房", "2023-02-14"),
        ),
    ),
    CustomerData(
        "xuting",
        "许婷",
        "enterprise",
        "xu.ting@qiming-edu.example.cn",
        "+8613312340401",
        org="qiming",
        wecom="XuTing",
        crm="CRM-600033",
    ),
    CustomerData(
        "emily",
        "Emily Carter",
        "enterprise",
        "emily.carter@northwind.example.com",
        "+6591234567",
        org="northwind",
        language="en",
        timezone="Asia/Singapore",
        username="emily",
        crm="CRM-700101",
        devices=(
            _d("CNB3K77881", "HP LaserJet Pro M404dn", "printer", "Northwind Singapore office, level 12", "2024-07-01"),
        ),
    ),
    CustomerData(
        "james",
        "James Miller",
        "enterprise",
        "james.miller@northwind.example.com",
        "+14155550142",
        org="northwind",
        language="en",
        timezone="America/Los_Angeles",
        crm="CRM-700102",
        notes="US west coast: SLA clock starts at 09:00 Los Angeles time",
    ),
    CustomerData(
        "lixiuying",
        "李秀英",
        "home",
        "lixiuying@example.com",
        "+8613800138000",
        username="lixiuying",
        wechat="oWx_lixiuying01",
        devices=(
            _d(
                "GREE-KFR35-2306-0412",
                "格力 KFR-35GW 空调",
                "aircon",
                "上海市浦东新区张杨路 500 弄 3 号 1201",
                "2023-06-12",
            ),
        ),
    ),
    CustomerData(
        "chenjianguo",
        "陈建国",
        "home",
        "chenjianguo@example.com",
        "+8613901234567",
        tier="vip",
        wechat="oWx_chenjg",
        notes="VIP 会员（年消费 20 万以上）/ VIP member",
        devices=(
            _d(
                "MIDEA-KFR72-2404-1187",
                "美的 KFR-72LW 柜机空调",
                "aircon",
                "北京市朝阳区望京西园 4 区 12 号楼 801",
                "2024-05-03",
            ),
            _d(
                "HAIER-BCD-2302-7731",
                "海尔 BCD-500 冰箱",
                "fridge",
                "北京市朝阳区望京西园 4 区 12 号楼 801",
                "2023-02-18",
            ),
        ),
    ),
    CustomerData(
        "yanglijuan",
        "杨丽娟",
        "home",
        "yanglijuan@example.com",
        "+8613600001111",
        wechat="oWx_ylj",
        devices=(
            _d(
                "LS-XQG100-2311-0902",
                "小天鹅 XQG100 滚筒洗衣机",
                "washer",
                "广州市天河区体育西路 88 号 1603",
                "2023-11-09",
            ),
        ),
    ),
    CustomerData(
        "huangzhiqiang",
        "黄志强",
        "home",
        "huangzq@example.com",
        "+8613500002222",
        devices=(
            _d("GREE-KFR26-2207-5530", "格力 KFR-26GW 空调", "aircon", "深圳市南山区科技园南区 6 栋 302", "2022-07-21"),
        ),
    ),
    CustomerData("wuguifang", "吴桂芳", "home", "wuguifang@example.com", "+8613700003333", wechat="oWx_wgf"),
    CustomerData(
        "xulei",
        "徐磊",
        "home",
        "xulei@example.com",
        "+8615800004444",
        devices=(
            _d(
                "TPL-AX55-1120-3301",
                "TP-Link Archer AX55 路由器",
                "network",
                "成都市武侯区天府大道 1000 号 2-1504",
                "2024-11-20",
            ),
        ),
    ),
    CustomerData("zhutingting", "朱婷婷", "home", "zhutingting@example.com", "+8615900005555", wechat="oWx_ztt"),
    CustomerData(
        "huming",
        "胡明",
        "home",
        "huming@example.com",
        "+8618600006666",
        devices=(
            _d("AOC-27G2-2312-0117", "AOC 27G2 显示器", "display", "武汉市洪山区光谷大道 77 号 9-302", "2023-12-01"),
        ),
    ),
    CustomerData("guojing", "郭静", "home", "guojing@example.com", "+8618700007777"),
    CustomerData(
        "heyong",
        "何勇",
        "home",
        "heyong@example.com",
        "+8613300008888",
        tier="silver",
        devices=(
            _d(
                "MIDEA-MB100-2401-2210",
                "美的 MB100 波轮洗衣机",
                "washer",
                "南京市鼓楼区中山北路 200 号 5-601",
                "2024-01-22",
            ),
        ),
    ),
    CustomerData("gaojie", "高洁", "home", "gaojie@example.com", "+8613200009999", wechat="oWx_gj"),
    CustomerData(
        "lintao",
        "林涛",
        "home",
        "lintao@example.com",
        "+8615100001212",
        devices=(
            _d(
                "HAIER-KFR35-2505-0021", "海尔 KFR-35GW 空调", "aircon", "厦门市思明区湖滨南路 66 号 1102", "2025-05-10"
            ),
        ),
    ),
    CustomerData("luomin", "罗敏", "home", "luomin@example.com", "+8615200002323"),
    CustomerData("liangchen", "梁晨", "home", "liangchen@example.com", "+8615300003434", wechat="oWx_lc"),
    CustomerData("songjia", "宋佳", "home", "songjia@example.com", "+8615600004545", tier="gold"),
    CustomerData(
        "xiefang",
        "谢芳",
        "home",
        "xiefang@example.com",
        "+8615700005656",
        devices=(
            _d(
                "CANON-G3810-2402-8812",
                "佳能 G3810 喷墨打印机",
                "printer",
                "长沙市岳麓区麓谷大道 18 号 3-402",
                "2024-02-14",
            ),
        ),
    ),
    CustomerData("hanbing", "韩冰", "home", "hanbing@example.com", "+8618800006767"),
    CustomerData("tangjie", "唐杰", "home", "tangjie@example.com", "+8618900007878", wechat="oWx_tj"),
    CustomerData(
        "fengxue",
        "冯雪",
        "home",
        "fengxue@example.com",
        "+8613100008989",
        tier="vip",
        devices=(
            _d(
                "GREE-KFR50-2406-7712",
                "格力 KFR-50LW 柜机空调",
                "aircon",
                "杭州市滨江区江南大道 3888 号 7-2201",
                "2024-06-28",
            ),
        ),
    ),
    CustomerData("donghao", "董浩", "home", "donghao@example.com", "+8613000009090"),
    CustomerData("chengli", "程丽", "home", "chengli@example.com", "+8617600001313", wechat="oWx_cl"),
    CustomerData("caolei", "曹磊", "home", "caolei@example.com", "+8617700002424"),
    CustomerData(
        "michael",
        "Michael Brown",
        "home",
        "michael.brown@example.com",
        "+447700900123",
        language="en",
        timezone="Europe/London",
    ),
    CustomerData(
        "sarah",
        "Sarah Johnson",
        "home",
        "sarah.johnson@example.com",
        "+12125550187",
        language="en",
        timezone="America/New_York",
        devices=(
            _d("CANON-G3810-2409-1002", "Canon PIXMA G3810", "printer", "New York, 5th Ave apt 11B", "2024-09-03"),
        ),
    ),
    CustomerData(
        "davidlee",
        "David Lee",
        "home",
        "david.lee@example.com",
        "+85291234567",
        tier="vip",
        language="en",
        timezone="Asia/Hong_Kong",
        devices=(
            _d(
                "DAIKIN-FTXM35-2307-6601",
                "Daikin FTXM35 air conditioner",
                "aircon",
                "Hong Kong, Tai Koo Shing 9/F",
                "2023-07-15",
            ),
        ),
    ),
]

CUSTOMERS_BY_KEY = {c.key: c for c in CUSTOMERS}


def customer_ip(key: str) -> str:
    index = CUSTOMERS.index(CUSTOMERS_BY_KEY[key])
    return f"203.0.113.{10 + index}" if index % 2 == 0 else f"198.51.100.{10 + index}"


# Who SLA escalations reach beyond the assignee and the team lead (R7.5) and who takes silent P0s (R3.6).
SLA_CONTACTS = {"managers": ["duty_gao"], "directors": ["admin"], "duty_managers": ["duty_gao"]}
