"""The shape of the demo's category tree (three levels) and the desk's texts, from the product documents.

Each leaf category is a request kind (kinds.py) with Chinese and English phrasings. Placeholders in the texts:
{sn} {model} {location} {store} {order} {tail} {code} — filled per ticket by the planner.
Summaries are timeline headlines: at most 20 characters and concrete (R3.4).
"""

from dataclasses import dataclass

Phrasing = tuple[str, str]  # (subject, description)


@dataclass(frozen=True)
class Top:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Group:
    code: str
    parent: str
    name_zh: str
    name_en: str
    team: str
    ask_zh: str  # the desk's first substantive reply
    ask_en: str
    info_zh: str  # what the customer sends back
    info_en: str


@dataclass(frozen=True)
class Kind:
    code: str
    group: str
    name_zh: str
    name_en: str
    zh: tuple[Phrasing, ...]
    en: tuple[Phrasing, ...]
    fix: tuple[str, str, str]  # (summary ≤ 20, reply in Chinese, reply in English)
    skill: str
    priorities: dict[str, int]
    weight: int = 3
    ticket_type: str = "incident"
    audience: tuple[str, ...] = ("enterprise", "store", "home")
    device: str | None = None  # needs a customer device of this kind
    dept: str | None = None  # collaborating department code
    dept_note: tuple[str, str] | None = None  # (summary ≤ 20, body) written by that department
    materials: tuple[dict, ...] = ()
    faults: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    custom: str | None = None  # "store_id" or "order_no"
    machine_alarm: bool = False  # arrives from MES/monitoring through the API
    promo_sensitive: bool = False  # P0 during a promotion window (R4.2)
    sentiment: str = ""


TOPS = [
    Top("fault", "故障类", "Faults"),
    Top("hardware", "硬件", "Hardware"),
    Top("appliance", "家电", "Home appliances"),
    Top("payment", "支付与账务", "Payments and billing"),
    Top("order", "订单与物流", "Orders and logistics"),
    Top("account", "账户与咨询", "Accounts and questions"),
    Top("complaint", "投诉与建议", "Complaints and suggestions"),
]

GROUPS = [
    Group(
        "login",
        "fault",
        "登录问题",
        "Login problems",
        "kefu-1",
        "您好，我们已查询到您的账号状态正常，正在核对短信网关和登录日志。"
        "请告诉我们出现问题的大致时间和使用的 App 版本。",
        "Hello, your account itself looks fine; we are checking the SMS gateway and the login log. "
        "Could you tell us roughly when it happened and which app version you use?",
        "大概是今天上午 10 点左右，App 版本 6.3.2，手机是华为 Mate 60。",
        "It was around 10 am today, app version 6.3.2 on an iPhone 15.",
    ),
    Group(
        "frontend",
        "fault",
        "前端访问类",
        "Front-end access",
        "kefu-1",
        "您好，已收到您的截图，我们正在复现。麻烦提供浏览器类型和版本，并尝试清除缓存后再访问一次。",
        "Hello, thanks for the screenshot, we are reproducing it now. "
        "Which browser and version do you use? Please also try once more after clearing the cache.",
        "用的是 Chrome 131，清了缓存还是一样，控制台报错截图已附上。",
        "Chrome 131; clearing the cache did not help, console errors attached.",
    ),
    Group(
        "feature",
        "fault",
        "功能故障",
        "Feature faults",
        "kefu-2",
        "您好，我们已在测试环境复现该问题，技术同事正在排查接口日志，请提供出问题的账号和操作时间。",
        "Hello, we reproduced this on our test system and an engineer is reading the API logs. "
        "Please send the account and the time it happened.",
        "账号是公司管理员账号，昨天下午 3 点到 4 点之间一直失败。",
        "It is our company admin account, it kept failing yesterday between 3 and 4 pm.",
    ),
    Group(
        "outage",
        "fault",
        "系统故障",
        "System outages",
        "tech-support",
        "已启动应急响应：值班工程师正在处理，每 30 分钟同步一次进展。请保持电话畅通。",
        "Incident response has started: the on-call engineer is on it and we will update you every 30 minutes.",
        "现场已切换到备用方案，等你们的恢复通知。",
        "We switched to the fallback procedure and are waiting for your all-clear.",
    ),
    Group(
        "printer",
        "hardware",
        "打印设备",
        "Printers",
        "kefu-2",
        "您好，请先关机拔电 30 秒后重启，并把面板上的错误代码拍照发给我们，我们据此判断是否需要上门。",
        "Hello, please switch the printer off, unplug it for 30 seconds and restart it, "
        "then send us a photo of the error code on the panel so we can tell whether a visit is needed.",
        "重启后还是一样，面板照片已发，显示的错误代码见附件。",
        "Restarted, same problem; photo of the panel with the error code attached.",
    ),
    Group(
        "display",
        "hardware",
        "显示设备",
        "Displays",
        "kefu-2",
        "您好，请换一根视频线或换一个接口测试，并告诉我们闪烁是否与分辨率、刷新率设置有关。",
        "Hello, please try another cable or port and tell us whether the problem depends on the "
        "resolution or refresh rate.",
        "换了 DP 线还是闪，刷新率调到 60Hz 稍微好一点。",
        "Another DP cable did not help; at 60 Hz it is slightly better.",
    ),
    Group(
        "network",
        "hardware",
        "网络设备",
        "Network equipment",
        "kefu-2",
        "您好，请告诉我们路由器型号和固件版本，并在掉线时执行一次 ping 网关的测试把结果发给我们。",
        "Hello, please send the router model and firmware version, and a ping test to the gateway "
        "taken while the connection drops.",
        "固件是最新版，ping 网关丢包 30% 左右，截图已附上。",
        "Firmware is current; ping to the gateway loses about 30% of packets, screenshot attached.",
    ),
    Group(
        "terminal",
        "hardware",
        "门店终端",
        "Store terminals",
        "kefu-2",
        "您好，请提供门店编号和终端 SN，我们远程查看终端状态，期间可先用备用收银台。",
        "Hello, please send the store number and the terminal SN; we will check it remotely. "
        "Meanwhile please use the spare till.",
        "门店编号和 SN 都在描述里了，备用收银台可以用但排队很长。",
        "Store number and SN are in the description; the spare till works but queues are long.",
    ),
    Group(
        "aircon",
        "appliance",
        "空调",
        "Air conditioners",
        "kefu-2",
        "您好，请确认遥控器是否为制冷模式、设定温度低于室温，并检查室外机是否运转。如仍不正常我们安排师傅上门。",
        "Hello, please check the remote is in cooling mode with a temperature below room temperature, "
        "and whether the outdoor unit runs. If it still fails we will send an engineer.",
        "模式和温度都对，室外机不转，显示屏有故障代码。",
        "Mode and temperature are right, the outdoor unit does not run, the display shows an error code.",
    ),
    Group(
        "white-goods",
        "appliance",
        "冰箱洗衣机",
        "Fridges and washers",
        "kefu-2",
        "您好，请告诉我们产品型号和购买时间，并拍一张故障代码或现象的照片，我们确认是否在保修期内。",
        "Hello, please send the model and purchase date plus a photo of the error code, so we can check the warranty.",
        "购买不到两年，照片已上传。",
        "Bought less than two years ago, photo uploaded.",
    ),
    Group(
        "pay",
        "payment",
        "支付问题",
        "Payment problems",
        "kefu-1",
        "您好，我们已根据订单号查询支付流水，正在与支付渠道核对扣款状态，请勿重复支付。",
        "Hello, we are checking the payment records for your order with the payment provider. "
        "Please do not pay again in the meantime.",
        "订单截图和银行扣款短信已上传。",
        "Order screenshot and the bank's debit SMS are uploaded.",
    ),
    Group(
        "refund",
        "payment",
        "退款",
        "Refunds",
        "kefu-1",
        "您好，退款申请已登记，需财务审核后原路退回，一般 3–5 个工作日到账。请确认收款账户信息。",
        "Hello, your refund is registered; after finance approval it goes back to the original payment "
        "method, usually within 3–5 working days. Please confirm the account details.",
        "确认原路退回即可，订单号在描述里。",
        "Back to the original card is fine, order number is in the description.",
    ),
    Group(
        "invoice",
        "payment",
        "发票",
        "Invoices",
        "kefu-1",
        "您好，请提供开票抬头、税号和接收邮箱，财务核对后开具电子发票。",
        "Hello, please send the company name, tax number and the email address for the e-invoice.",
        "抬头和税号已补充在附件里。",
        "Company name and tax number are in the attachment.",
    ),
    Group(
        "inventory",
        "order",
        "门店库存",
        "Store inventory",
        "kefu-2",
        "您好，我们正在核对门店库存接口和小程序请求日志，请告知门店编号和出错的商品条码。",
        "Hello, we are checking the store inventory API and the mini-program request log. "
        "Please send the store number and the barcode that fails.",
        "门店编号见描述，条码 6901234567892、6920202888888 都查不到。",
        "Store number as in the description; barcodes 6901234567892 and 6920202888888 fail.",
    ),
    Group(
        "delivery",
        "order",
        "订单异常",
        "Order problems",
        "kefu-2",
        "您好，已根据订单号联系仓库和物流核查，请稍候，我们会同步最新的物流节点。",
        "Hello, we asked the warehouse and the carrier about your order and will send the latest tracking status.",
        "客户在催，麻烦尽快给个准确的到货时间。",
        "Our customer is chasing us, please give us a firm delivery date.",
    ),
    Group(
        "after-sales",
        "order",
        "售后服务",
        "After-sales",
        "kefu-2",
        "您好，售后申请已登记，请上传商品照片和购买凭证，我们确认退换或维修方案。",
        "Hello, your after-sales request is registered; please upload photos and the proof of purchase "
        "so we can confirm a return, exchange or repair.",
        "照片和发票都上传了。",
        "Photos and the receipt are uploaded.",
    ),
    Group(
        "account-admin",
        "account",
        "账户管理",
        "Account management",
        "kefu-1",
        "您好，为保障账号安全，请先通过注册手机号完成身份验证，我们再为您办理。",
        "Hello, to keep your account safe please verify your identity with the registered phone number first.",
        "已经验证过了，验证码也填了。",
        "Verified, I entered the code.",
    ),
    Group(
        "howto",
        "account",
        "使用咨询",
        "How-to questions",
        "kefu-1",
        "您好，操作步骤如下，我们也附上了图文指南，按步骤操作即可。",
        "Hello, here are the steps, with an illustrated guide attached.",
        "好的我试一下，第三步没找到那个按钮。",
        "I will try; I cannot find the button in step three.",
    ),
    Group(
        "service-complaint",
        "complaint",
        "服务投诉",
        "Service complaints",
        "kefu-1",
        "非常抱歉给您带来不好的体验，您的投诉已由组长专人跟进，今天内给您答复处理方案。",
        "We are sorry for the experience. A team lead now owns your complaint and will come back "
        "with a solution today.",
        "希望这次能真正解决，不要再让我重复说明了。",
        "I hope it is really fixed this time, I do not want to explain everything again.",
    ),
    Group(
        "suggestion",
        "complaint",
        "产品建议",
        "Suggestions",
        "kefu-1",
        "感谢您的建议，已转交产品团队评估，评估结果会在这里同步给您。",
        "Thank you for the suggestion; the product team will assess it and we will post the outcome here.",
        "好的，期待改进。",
        "Thanks, looking forward to it.",
    ),
]


GROUPS_BY_CODE = {g.code: g for g in GROUPS}

# Generic desk texts (the kind-specific ones are in kinds_it.py and kinds_service.py).
ACKS = {"zh-hans": ("收到", "已收到", "好的"), "en": ("Received", "OK", "Got it")}

AGENT_NOTES = (
    ("已联系客户确认复现步骤", "电话联系客户，确认问题可以稳定复现，已记录操作步骤和截图。"),
    ("已查阅客户历史工单", "近 30 天该客户有同类问题记录，已关联参考处理方案。"),
    ("已核对设备档案与保修", "设备在保修期内，档案中的型号与客户描述一致。"),
    ("已远程查看日志", "远程查看了客户端日志，错误集中在 10:00–10:30。"),
    ("已在测试环境复现", "测试环境用相同数据可以复现，截图已上传。"),
)
AGENT_NOTES_EN = (
    ("Reproduced the issue", "Reproduced with the customer's steps on our test account."),
    ("Checked past tickets", "The customer reported a similar issue last month; same fix applies."),
)
DEPARTMENT_HANDOFF = {
    "tech-support": ("已转技术支持部排查", "@tech_sun 请协助排查，客户日志和截图已附上。"),
    "purchasing": ("已提交采购需求", "@buyer_zheng 需要更换部件，型号见设备档案，请安排采购。"),
    "logistics": ("已转物流部核查", "@logistics_he 请核查订单物流，客户着急。"),
    "finance": ("已提交财务审核", "@finance_xu 请审核退款/开票，订单信息已核对。"),
    "field-service": ("已派工程师上门", "已预约上门时间，请工程师出发前电话联系客户。"),
}
PENDING = {
    "customer": ("pending-customer", "已请客户补充信息"),
    "third": ("pending-third-party", "等待运营商回复"),
}
ON_HOLD = ("等待配件到货", "配件已到货")
REOPEN_COMMENTS = {
    "zh-hans": ("问题还在，没有解决。", "试了还是不行。", "过了一天又出现了。"),
    "en": ("It is still happening.", "Tried again, still broken."),
}
RATING_COMMENTS = {
    "zh-hans": ("处理很及时，谢谢！", "工程师很专业。", "解决了，就是等得有点久。", ""),
    "en": ("Quick and helpful, thanks!", "Solved, but it took a while.", ""),
}
THANKS_AFTER_REPLY = {"zh-hans": "好的，我按你们说的试一下。", "en": "Thanks, I will try that."}
ESCALATION_REASON = "VIP 客户，影响正常营业，升级处理"
AGENT_CLOSE_REASON = "客户电话确认已解决 / confirmed by phone"
MERGE_REASON = "与 {target} 为同一问题：客户在其他渠道重复提交"
RECURRENCE_NOTE = ("30天内同类问题复发", "该客户 30 天内同类问题再次出现，已关联原工单，原关闭计为闭环失效。")
ATTACHMENTS = {
    "log": ("error-log.txt", "text/plain"),
    "photo": ("现场照片.png", "image/png"),
    "guide": ("操作指南.pdf", "application/pdf"),
}
CUSTOM_FIELDS = (
    # (key, label_zh, label_en, type, categories (group codes))
    ("store_id", "门店编号", "Store ID", "text", ("inventory", "terminal")),
    ("order_no", "订单号", "Order number", "text", ("pay", "refund", "invoice", "delivery", "after-sales")),
)
KNOWLEDGE_REFS = ("KB-0012", "KB-0031", "KB-0047", "KB-0058", "KB-0102")
