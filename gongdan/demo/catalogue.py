"""The demo's category tree (three levels) and its request kinds, taken from the product documents.

Each leaf category is a request kind with Chinese and English phrasings. Placeholders in the texts:
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

P = dict  # priority weights, e.g. P(P1=1, P2=3)

KINDS = [
    # ---- 故障类 > 登录问题 -----------------------------------------------------------------------
    Kind(
        "login-wrong-password",
        "login",
        "密码错误",
        "Wrong password",
        (
            ("登录一直提示密码错误", "确定密码没输错，但一直提示“用户名或密码错误”，尾号 {tail} 的账号。"),
            ("密码正确却登录不上", "昨天还能登录，今天输入同样的密码提示错误，已经试了 5 次，担心被锁。"),
            ("账号被锁定，提示密码错误次数过多", "输错几次密码后账号被锁，请帮忙解锁。"),
        ),
        (
            ("Login says my password is wrong", "I am sure the password is right but it keeps saying it is wrong."),
            ("Account locked after password attempts", "My account got locked after a few tries, please unlock it."),
        ),
        (
            "已重置密码并解锁账号",
            "已为您解锁账号并发送重置密码短信，请用新密码登录。建议开启两步验证。",
            "Your account is unlocked and a password reset SMS is on its way. We recommend turning on two-step "
            "verification.",
        ),
        "account",
        P(P2=3, P3=2),
        weight=4,
        tags=("登录",),
    ),
    Kind(
        "login-no-code",
        "login",
        "收不到验证码",
        "Verification code not received",
        (
            ("登录收不到短信验证码", "手机号尾号 {tail} 登录时一直收不到验证码，已经等了十分钟。"),
            ("验证码收不到，没法登录", "点了获取验证码，倒计时结束也没收到短信，换了网络也一样。"),
            ("手机收不到登录验证码", "移动号码，收不到验证码，其他平台的短信都正常。"),
        ),
        (
            ("No SMS verification code", "I never receive the login code on my phone ending {tail}."),
            ("Login code does not arrive", "The countdown finishes but no SMS arrives; other services' texts work."),
        ),
        (
            "短信通道切换后已恢复",
            "经核查是运营商短信通道拥堵，已切换备用通道，您现在重新获取验证码即可。",
            "A carrier SMS route was congested; we switched to the backup route. Please request a new code.",
        ),
        "account",
        P(P1=1, P2=4, P3=1),
        weight=6,
        dept="tech-support",
        dept_note=("短信网关限流已解除", "短信网关对该号段限流，已调整配额并切换备用通道，观察 1 小时无异常。"),
        faults=("E-SMS-429", "E-SMS-503"),
        tags=("登录", "验证码"),
    ),
    Kind(
        "login-device-limit",
        "login",
        "设备限制",
        "Device limit reached",
        (
            ("提示登录设备已达上限", "换了新手机登录，提示“登录设备数已达上限”，旧手机已经不用了。"),
            ("新电脑无法登录，设备超限", "公司给我换了电脑，登录提示设备超过 3 台。"),
        ),
        (("Device limit reached on login", "I got a new phone and now it says I have too many devices."),),
        (
            "已解绑旧设备",
            "已为您解绑 2 台不再使用的旧设备，现在可以在新设备上登录了。",
            "We removed two old devices from your account; you can sign in on the new one now.",
        ),
        "account",
        P(P3=3, P4=1),
        weight=2,
        tags=("登录",),
    ),
    Kind(
        "login-unusual-location",
        "login",
        "异地登录",
        "Login from unusual location",
        (
            ("收到异地登录提醒，不是我本人", "凌晨收到账号在外地登录的提醒，不是我操作的，担心被盗号。"),
            ("账号异地登录被冻结", "出差到外地，账号被判定异地登录冻结了。"),
        ),
        (("Unknown login from another city", "I got an alert about a login from another city that was not me."),),
        (
            "已冻结会话并改密",
            "已强制下线全部会话并协助您修改密码，登录记录显示未发生资金操作。",
            "All sessions are signed out and your password is changed; the log shows no payments were made.",
        ),
        "account",
        P(P1=2, P2=2),
        weight=2,
        dept="tech-support",
        dept_note=("已核查登录日志", "异地 IP 来自撞库尝试，已加入风控黑名单。"),
        tags=("登录", "安全"),
    ),
    # ---- 故障类 > 前端访问类 -----------------------------------------------------------------------
    Kind(
        "frontend-cannot-login",
        "frontend",
        "无法登录",
        "Cannot sign in",
        (
            ("网页版无法登录，点登录没反应", "官网点“登录”按钮没有任何反应，App 可以正常登录。"),
            ("后台管理系统登不进去", "公司后台 https://admin 登录后又跳回登录页，循环。"),
        ),
        (("Cannot sign in on the website", "Clicking Sign in does nothing on the website; the app works."),),
        (
            "已修复登录跳转问题",
            "登录后跳回登录页是会话 Cookie 配置问题，已修复发布，请刷新页面后重新登录。",
            "The redirect loop came from a session cookie setting; the fix is live, please reload and sign in.",
        ),
        "web",
        P(P1=1, P2=3),
        weight=4,
        dept="tech-support",
        dept_note=("Cookie 域配置已修复", "SameSite 配置导致跨域会话丢失，已回滚配置并发布。"),
        tags=("前端",),
    ),
    Kind(
        "frontend-blank-page",
        "frontend",
        "页面白屏",
        "Blank white page",
        (
            ("打开页面一片白屏", "进入订单页面后整页空白，刷新也没用，其他页面正常。"),
            ("小程序首页白屏", "打开小程序首页白屏，等很久才出来一半。"),
            ("报表页面白屏", "点开月度报表就白屏，控制台有报错。"),
        ),
        (
            ("Blank page after login", "After signing in the dashboard stays completely white."),
            ("White screen on the orders page", "The orders page is blank; refreshing does not help."),
        ),
        (
            "前端资源已重新发布",
            "白屏是 CDN 缓存了旧版本脚本导致的，已刷新缓存并重新发布，请清除缓存后访问。",
            "A stale script was cached by the CDN; we purged it and redeployed. Please clear your cache and retry.",
        ),
        "web",
        P(P1=1, P2=3, P3=1),
        weight=4,
        dept="tech-support",
        dept_note=("CDN 缓存已刷新", "旧版 main.js 被缓存，已刷新全部节点。"),
        tags=("前端", "白屏"),
    ),
    Kind(
        "frontend-code-not-sent",
        "frontend",
        "验证码不发送",
        "Verification code not sent",
        (
            ("注册页面验证码不发送", "注册时点击发送验证码，按钮变灰但手机没收到，也没有报错。"),
            ("找回密码时验证码发不出来", "找回密码页点“发送验证码”提示发送失败。"),
        ),
        (("Sign-up code is never sent", "The Send code button greys out but nothing arrives."),),
        (
            "已修复验证码接口",
            "前端调用验证码接口时参数缺失，已修复发布，现在可以正常发送。",
            "The page called the code API without a required field; the fix is live and codes are sent again.",
        ),
        "web",
        P(P2=3, P3=1),
        weight=3,
        dept="tech-support",
        dept_note=("验证码接口参数已修复", "前端升级后漏传 scene 字段，已补丁发布。"),
        tags=("前端", "验证码"),
    ),
    # ---- 故障类 > 功能故障 -------------------------------------------------------------------------
    Kind(
        "feature-data-sync",
        "feature",
        "数据同步失败",
        "Data sync failure",
        (
            ("ERP 数据同步失败", "今天早上开始 ERP 的订单数据同步不到系统里，报错 {code}。"),
            ("门店数据不同步", "总部改了价格，门店端一直没同步过来。"),
        ),
        (("Data stopped syncing from our ERP", "Orders from our ERP have not synced since this morning ({code})."),),
        (
            "已补推同步数据",
            "同步任务因接口超时中断，已修复并补推了中断期间的全部数据，请核对。",
            "The sync job stopped on an API timeout; it is fixed and all missed records were re-sent.",
        ),
        "system",
        P(P1=2, P2=3),
        weight=3,
        audience=("enterprise", "store"),
        dept="tech-support",
        dept_note=("同步任务已重启", "队列积压 1.2 万条，扩容消费者后已追平。"),
        faults=("SYNC-504", "SYNC-409"),
        tags=("数据同步",),
    ),
    Kind(
        "feature-course-stutter",
        "feature",
        "课程视频卡顿",
        "Course video stutters",
        (
            ("直播课程卡顿严重", "晚上 8 点的直播课卡顿，学员都在投诉，画面一直转圈。"),
            ("课程回放播放卡顿", "回放视频播放几秒就卡住。"),
        ),
        (("Live class keeps buffering", "The 8 pm live class keeps buffering for all students."),),
        (
            "已切换直播 CDN 线路",
            "晚高峰 CDN 节点负载过高，已为贵机构切换专线，卡顿已恢复。",
            "A CDN node was overloaded at peak time; we moved you to a dedicated route and playback is smooth.",
        ),
        "system",
        P(P1=2, P2=2),
        weight=2,
        audience=("enterprise",),
        dept="tech-support",
        dept_note=("CDN 节点已切换", "华东节点带宽打满，已调度至备用节点。"),
        tags=("视频",),
    ),
    Kind(
        "feature-report-export",
        "feature",
        "报表导出失败",
        "Report export fails",
        (
            ("月报导出失败", "导出上个月的工单报表时提示“导出失败”，数据量大概 5 万行。"),
            ("Excel 导出一直转圈", "点导出 Excel 一直在转圈，最后超时。"),
        ),
        (("Monthly report export fails", "Exporting last month's report ends with an error."),),
        (
            "已改为异步导出",
            "大数据量导出改为后台生成，完成后会发到您的邮箱，本次报表已发送。",
            "Large exports now run in the background and arrive by email; this month's file has been sent.",
        ),
        "system",
        P(P2=2, P3=3),
        weight=2,
        audience=("enterprise", "store"),
        tags=("报表",),
    ),
    # ---- 故障类 > 系统故障 -------------------------------------------------------------------------
    Kind(
        "outage-server-down",
        "outage",
        "服务器宕机",
        "Server down",
        (
            ("系统全面无法访问", "所有员工都打不开系统，提示 502 Bad Gateway。"),
            ("MES 服务器宕机", "MES 服务器 {sn} 无响应，车间扫码全部失败。"),
        ),
        (("Whole system is down", "Nobody can open the system; it returns 502 Bad Gateway."),),
        (
            "服务已恢复并复盘",
            "故障原因为数据库主节点磁盘写满，已扩容并切回主节点，服务恢复，复盘报告稍后发送。",
            "The primary database ran out of disk; we extended it and failed back. Service is restored; "
            "a post-mortem follows.",
        ),
        "system",
        P(P0=4, P1=1),
        weight=2,
        audience=("enterprise",),
        dept="tech-support",
        dept_note=("磁盘已扩容，主库恢复", "数据库主节点磁盘 100%，清理归档并扩容 500G，主从已同步。"),
        faults=("HTTP-502", "DB-DISK-FULL"),
        tags=("宕机", "紧急"),
    ),
    Kind(
        "outage-security",
        "outage",
        "安全漏洞",
        "Security vulnerability",
        (
            ("发现接口越权漏洞", "我们的安全团队发现订单接口可以查看其他公司的数据，请立即处理。"),
            ("疑似账号数据泄露", "在外部论坛看到疑似我司账号数据，请核查。"),
        ),
        (("Security issue: data visible across tenants", "Our security team can read another tenant's orders."),),
        (
            "漏洞已修复并完成排查",
            "越权问题已修复上线，审计日志确认无数据被批量导出，详细报告已发送。",
            "The access-control flaw is fixed; audit logs show no bulk export. The report has been sent.",
        ),
        "system",
        P(P0=3, P1=1),
        weight=1,
        audience=("enterprise",),
        dept="tech-support",
        dept_note=("越权接口已下线修复", "订单接口缺少租户校验，已热修复并加自动化测试。"),
        tags=("安全", "紧急"),
    ),
    Kind(
        "outage-line-stop",
        "outage",
        "产线异常停机",
        "Production line stoppage",
        (
            ("【MES 告警】产线异常停机", "MES 上报：设备 {sn} 于 {location} 异常停机，报警代码 {code}。"),
            ("【IoT 告警】生产线急停", "IoT 平台上报：{model} 触发急停，产线停止。"),
        ),
        (("[MES alarm] Production line stopped", "MES reports: {sn} stopped unexpectedly, alarm {code}."),),
        (
            "已更换伺服驱动，产线恢复",
            "工程师现场更换伺服驱动器后产线恢复运行，已通知 MES 与值班经理。",
            "The engineer replaced the servo drive on site; the line is running again and MES is notified.",
        ),
        "system",
        P(P0=1),
        weight=2,
        audience=("enterprise",),
        device="line",
        dept="field-service",
        dept_note=("已到场更换伺服驱动器", "现场检测 A 轴伺服驱动器过流烧毁，已更换备件并试产 30 分钟正常。"),
        materials=({"item": "伺服驱动器 SV-220", "quantity": 1},),
        faults=("ALM-SV-031", "ALM-EMG-001"),
        tags=("产线", "紧急"),
        machine_alarm=True,
    ),
    # ---- 硬件 > 打印设备 ---------------------------------------------------------------------------
    Kind(
        "printer-paper-jam",
        "printer",
        "打印机卡纸",
        "Printer paper jam",
        (
            ("打印机卡纸，取不出来", "{model} 一直提示卡纸，纸盒里已经没有纸了还是报卡纸，SN {sn}。"),
            ("打印机频繁卡纸", "每打十几张就卡一次纸，影响出单。"),
            ("检验科打印机卡纸", "检验科报告打印机卡纸，病人在等报告，很急！"),
        ),
        (
            ("Printer keeps jamming", "The {model} reports a paper jam even with an empty tray. SN {sn}."),
            ("Paper jam every few pages", "It jams every ten pages or so."),
        ),
        (
            "已清理进纸辊并更换搓纸轮",
            "工程师已清理进纸通道并更换磨损的搓纸轮，连续打印 100 张无卡纸。",
            "The engineer cleaned the paper path and replaced the worn pickup roller; 100 pages printed without a jam.",
        ),
        "printer",
        P(P1=1, P2=3, P3=2),
        weight=6,
        device="printer",
        dept="field-service",
        dept_note=("已上门更换搓纸轮", "搓纸轮磨损严重，已更换并清洁定影组件。"),
        materials=({"item": "搓纸轮 RM2-5452", "quantity": 1},),
        faults=("13.A2.D2", "E-JAM-01"),
        tags=("打印机", "卡纸"),
    ),
    Kind(
        "printer-not-working",
        "printer",
        "打印机不工作",
        "Printer not working",
        (
            ("打印机不工作，任务一直排队", "电脑上打印任务一直在队列里，打印机没反应，SN {sn}。"),
            ("打印机脱机无法打印", "打印机显示脱机，重启了也不行。"),
        ),
        (("Printer shows offline", "Jobs stay in the queue and the printer shows offline. SN {sn}."),),
        (
            "已重装驱动并固定 IP",
            "打印机 IP 变化导致脱机，已设置固定 IP 并重装驱动，测试打印正常。",
            "The printer's IP address had changed; we set a fixed IP and reinstalled the driver. Test page OK.",
        ),
        "printer",
        P(P1=1, P2=2, P3=2),
        weight=4,
        device="printer",
        faults=("OFFLINE", "49.4C02"),
        tags=("打印机",),
    ),
    Kind(
        "printer-toner",
        "printer",
        "硒鼓更换",
        "Toner / drum replacement",
        (
            ("打印有黑线，需要换硒鼓", "打印出来每页都有竖黑线，应该是硒鼓坏了，型号 {model}。"),
            ("提示硒鼓寿命已尽", "面板提示更换硒鼓，请安排配件。"),
        ),
        (("Black lines on every page", "Every page has vertical black lines; the drum seems worn out."),),
        (
            "已更换硒鼓",
            "新硒鼓已到货并由工程师更换，打印质量恢复正常。",
            "The new drum arrived and the engineer fitted it; print quality is back to normal.",
        ),
        "printer",
        P(P2=2, P3=3),
        weight=3,
        ticket_type="repair",
        device="printer",
        dept="purchasing",
        dept_note=("已下单采购硒鼓", "库存无 DR-4200，已向供应商下单，预计 2 天到货。"),
        materials=({"item": "硒鼓 DR-4200", "quantity": 1},),
        tags=("打印机", "配件"),
    ),
    # ---- 硬件 > 显示设备 ---------------------------------------------------------------------------
    Kind(
        "display-flicker",
        "display",
        "屏幕闪烁",
        "Screen flicker",
        (
            ("显示器屏幕闪烁", "{model} 屏幕一直闪烁，尤其是打开表格的时候，SN {sn}。"),
            ("屏幕闪烁，昨天已经反馈过", "昨天已反馈过屏幕闪烁的问题，今天又收到一个新工单编号，问题还在。"),
            ("显示器间歇性闪屏", "用一会儿就闪一下，眼睛很累。"),
        ),
        (
            ("Monitor keeps flickering", "My {model} flickers, especially with spreadsheets. SN {sn}."),
            ("Screen flicker is back", "I reported this flicker yesterday and it is still happening."),
        ),
        (
            "已更新固件并更换线缆",
            "显示器固件更新至 M3T105，并更换认证 DP 线后不再闪烁。",
            "We updated the monitor firmware to M3T105 and replaced the DP cable; no more flicker.",
        ),
        "hardware",
        P(P2=3, P3=2),
        weight=4,
        device="display",
        tags=("显示器",),
    ),
    Kind(
        "display-no-signal",
        "display",
        "黑屏无显示",
        "No display",
        (("显示器黑屏无信号", "开机后显示器提示“无信号”，主机正常运行。"),),
        (("Monitor says no signal", "The monitor shows No signal although the PC is running."),),
        (
            "已上门更换显示器",
            "显示器背光板损坏，保修期内已上门更换新机。",
            "The backlight board failed; the monitor was replaced on site under warranty.",
        ),
        "hardware",
        P(P2=2, P3=2),
        weight=2,
        device="display",
        dept="field-service",
        dept_note=("已上门更换整机", "背光板故障，已更换同型号整机并回收旧机。"),
        materials=({"item": "显示器整机（保修换新）", "quantity": 1},),
        tags=("显示器",),
    ),
    # ---- 硬件 > 网络设备 ---------------------------------------------------------------------------
    Kind(
        "network-wifi",
        "network",
        "WiFi 连接失败",
        "Wi-Fi connection fails",
        (
            ("WiFi 连接失败", "手机和电脑都连不上 WiFi，提示密码错误，但密码没改过。路由器 {model}。"),
            ("新路由器连不上网", "换了 {model} 之后 5G 频段搜不到。"),
        ),
        (("Cannot connect to Wi-Fi", "Devices refuse the Wi-Fi password although it did not change."),),
        (
            "已按型号指南重新配置",
            "按该路由器型号的适配指南关闭了 WPA3 混合模式，设备已全部连上。",
            "Following the guide for your router model we turned off WPA3 mixed mode; all devices connect now.",
        ),
        "network",
        P(P2=2, P3=3),
        weight=3,
        device="network",
        tags=("网络", "WiFi"),
    ),
    Kind(
        "network-dropping",
        "network",
        "网络频繁掉线",
        "Network keeps dropping",
        (
            ("公司网络频繁掉线", "办公室网络每隔半小时掉线一次，路由器 {model}，SN {sn}。"),
            ("门店网络不稳定", "门店收银经常断网，交易失败。"),
        ),
        (("Office network drops every half hour", "The connection drops every 30 minutes. Router {model}."),),
        (
            "已升级固件并更换光模块",
            "光模块老化导致丢包，已更换并升级路由器固件，观察 24 小时稳定。",
            "An ageing optical module caused packet loss; it is replaced and the firmware upgraded. Stable for 24 h.",
        ),
        "network",
        P(P1=1, P2=3),
        weight=3,
        audience=("enterprise", "store"),
        dept="field-service",
        dept_note=("已更换光模块", "现场测得光衰 -27dBm，更换光模块后恢复 -18dBm。"),
        materials=({"item": "光模块 SFP-GE-LX", "quantity": 1},),
        tags=("网络",),
    ),
    # ---- 硬件 > 门店终端 ---------------------------------------------------------------------------
    Kind(
        "terminal-pos",
        "terminal",
        "POS 机无法开机",
        "POS terminal will not start",
        (
            ("收银 POS 机无法开机", "{store} 收银台 POS {sn} 按电源键没反应，充电也不亮灯。"),
            ("POS 终端死机", "POS 卡在开机画面，顾客排长队。"),
        ),
        (("POS terminal will not power on", "The POS at {store} does not start. SN {sn}."),),
        (
            "已寄送备机并回收故障机",
            "已顺丰寄出备用 POS 机，次日到店，故障机返厂维修。",
            "A spare POS is on its way by courier and arrives tomorrow; the faulty unit goes back for repair.",
        ),
        "hardware",
        P(P1=3, P2=2),
        weight=3,
        audience=("store",),
        device="pos",
        dept="logistics",
        dept_note=("备机已出库", "备用 PAX A920 已从上海仓出库，顺丰次日达。"),
        faults=("PAX-E03",),
        tags=("门店", "POS"),
        custom="store_id",
    ),
    Kind(
        "terminal-scanner",
        "terminal",
        "扫码枪无法识别",
        "Barcode scanner not reading",
        (
            ("扫码枪扫不出条码", "{store} 扫码枪扫商品条码没反应，SN {sn}。"),
            ("扫码枪识别很慢", "扫码要好几次才能识别，收银很慢。"),
        ),
        (("Barcode scanner does not read", "The scanner at {store} no longer reads barcodes."),),
        (
            "已恢复扫码枪出厂设置",
            "扫码枪误设为仅识别二维码，已远程指导扫描设置码恢复出厂设置。",
            "The scanner had been set to QR codes only; we walked the store through the reset code.",
        ),
        "hardware",
        P(P2=3, P3=1),
        weight=2,
        audience=("store",),
        device="scanner",
        tags=("门店",),
        custom="store_id",
    ),
    # ---- 家电 > 空调 -----------------------------------------------------------------------------
    Kind(
        "aircon-not-cooling",
        "aircon",
        "空调不制冷",
        "AC not cooling",
        (
            ("空调不制冷", "{model} 开了制冷模式吹出来是热风，室外机不转，显示 {code}。"),
            ("空调不制冷还滴水", "空调不制冷，而且室内机一直往下滴水。"),
            ("空调开了半天不凉", "设定 24 度，开了两小时屋里还是 30 度。"),
        ),
        (
            ("Air conditioner not cooling", "The {model} blows warm air in cooling mode; code {code}."),
            ("AC not cold and dripping", "The AC does not cool and the indoor unit drips water."),
        ),
        (
            "已补充冷媒并修复漏点",
            "师傅检测为连接管焊点漏氟，已补焊并加注冷媒，出风温度 12℃ 恢复正常。",
            "The engineer found a refrigerant leak at a pipe joint, repaired it and recharged; outlet air is 12 °C.",
        ),
        "appliance",
        P(P1=1, P2=3, P3=1),
        weight=6,
        ticket_type="repair",
        audience=("home",),
        device="aircon",
        dept="field-service",
        dept_note=("已补焊漏点并加冷媒", "连接管喇叭口漏氟，补焊后保压 30 分钟无泄漏，加注 R32 0.6kg。"),
        materials=({"item": "R32 冷媒", "quantity": "0.6kg"}, {"item": "铜管接头", "quantity": 2}),
        faults=("E1", "F0", "H6"),
        tags=("空调", "上门"),
    ),
    Kind(
        "aircon-leak",
        "aircon",
        "空调漏水",
        "AC leaking water",
        (("空调室内机漏水", "室内机一直滴水，地板都湿了。"), ("空调滴水严重", "开机半小时墙面就流水。")),
        (("Indoor AC unit leaking", "Water drips from the indoor unit onto the floor."),),
        (
            "已疏通排水管",
            "排水管被灰尘堵塞，已疏通并调整坡度，运行 1 小时无滴水。",
            "The drain pipe was blocked; it is cleared and re-sloped, no drips after an hour.",
        ),
        "appliance",
        P(P2=3, P3=2),
        weight=3,
        ticket_type="repair",
        audience=("home",),
        device="aircon",
        dept="field-service",
        dept_note=("已上门疏通排水管", "排水管积灰堵塞，已疏通并加装防虫帽。"),
        tags=("空调", "上门"),
    ),
    Kind(
        "aircon-noise",
        "aircon",
        "空调异响",
        "AC noisy",
        (("空调外机噪音很大", "外机运行时有咔咔的异响，邻居投诉了。"),),
        (("Outdoor AC unit is very loud", "The outdoor unit rattles loudly; the neighbours complained."),),
        (
            "已加固支架并更换减震垫",
            "外机支架螺丝松动，已加固并更换减震垫，噪音恢复正常。",
            "Loose bracket bolts; we tightened them and fitted new anti-vibration pads.",
        ),
        "appliance",
        P(P3=3, P4=1),
        weight=2,
        ticket_type="repair",
        audience=("home",),
        device="aircon",
        dept="field-service",
        dept_note=("已加固外机支架", "支架螺栓松动，已紧固并更换减震垫。"),
        materials=({"item": "减震垫", "quantity": 4},),
        tags=("空调",),
    ),
    # ---- 家电 > 冰箱洗衣机 -------------------------------------------------------------------------
    Kind(
        "washer-drain",
        "white-goods",
        "洗衣机不排水",
        "Washer will not drain",
        (("洗衣机不排水", "洗衣机洗完不排水，显示 {code}，型号 {model}。"),),
        (("Washing machine will not drain", "It stops with water inside and shows {code}."),),
        (
            "已清理排水泵异物",
            "排水泵内有硬币卡住叶轮，已清理，试机排水正常。",
            "A coin was stuck in the drain pump; removed, and the washer drains normally.",
        ),
        "appliance",
        P(P2=2, P3=3),
        weight=2,
        ticket_type="repair",
        audience=("home",),
        device="washer",
        dept="field-service",
        dept_note=("已清理排水泵", "排水泵叶轮卡硬币，清理后试机正常。"),
        faults=("E21", "E30"),
        tags=("洗衣机", "上门"),
    ),
    Kind(
        "fridge-not-cooling",
        "white-goods",
        "冰箱不制冷",
        "Fridge not cooling",
        (("冰箱冷藏室不制冷", "冷藏室温度一直在 15 度左右，冷冻正常。"),),
        (("Fridge compartment not cold", "The fridge stays around 15 °C; the freezer is fine."),),
        (
            "已更换温控器",
            "温控器故障，已更换配件，冷藏室 4 小时后降至 4℃。",
            "The thermostat failed and was replaced; the fridge reached 4 °C within 4 hours.",
        ),
        "appliance",
        P(P2=3, P3=1),
        weight=2,
        ticket_type="repair",
        audience=("home",),
        device="fridge",
        dept="field-service",
        dept_note=("已更换温控器", "温控器触点粘连，更换后制冷恢复。"),
        materials=({"item": "温控器 WDF-25", "quantity": 1},),
        tags=("冰箱", "上门"),
    ),
    # ---- 支付与账务 > 支付问题 ---------------------------------------------------------------------
    Kind(
        "pay-failed",
        "pay",
        "支付失败",
        "Payment failed",
        (
            ("支付失败但银行卡已扣款", "订单 {order} 支付时提示失败，但银行卡已经扣款了。"),
            ("一直支付失败", "用微信支付和银行卡都提示支付失败，错误码 {code}。"),
            ("大促下单支付失败", "活动期间下单一直支付失败，商品快被抢光了！"),
        ),
        (
            ("Payment failed but money was taken", "Order {order} says the payment failed but my card was charged."),
            ("Cannot pay for my order", "Every payment attempt fails with code {code}."),
        ),
        (
            "已补单，订单支付成功",
            "支付渠道回调超时导致订单未更新，已为您补单，订单状态为已支付，无需重复付款。",
            "The payment provider's callback timed out; we completed the order manually. It is paid, "
            "no need to pay again.",
        ),
        "payments",
        P(P1=2, P2=3),
        weight=6,
        ticket_type="incident",
        dept="tech-support",
        dept_note=("支付回调已补推", "渠道回调超时 37 笔，已全部补推并对账一致。"),
        faults=("PAY-TIMEOUT", "ERR_PAY_51"),
        tags=("支付",),
        custom="order_no",
        promo_sensitive=True,
    ),
    Kind(
        "pay-double-charge",
        "pay",
        "重复扣款",
        "Charged twice",
        (("同一订单被扣了两次钱", "订单 {order} 被重复扣款两次，请尽快退回。"),),
        (("Charged twice for one order", "Order {order} was charged twice."),),
        (
            "已退回重复扣款",
            "确认重复扣款一笔，已原路退回，银行处理 1–3 个工作日到账。",
            "One duplicate charge confirmed and refunded to your card; your bank needs 1–3 working days.",
        ),
        "payments",
        P(P1=2, P2=2),
        weight=3,
        dept="finance",
        dept_note=("重复扣款退款已审批", "对账确认重复扣款，退款审批已通过。"),
        tags=("支付", "退款"),
        custom="order_no",
    ),
    Kind(
        "pay-card-limit",
        "pay",
        "银行卡限额",
        "Card limit too low",
        (("银行卡支付提示超限额", "大额订单付款提示超出单笔限额，希望提高限额。"),),
        (("Card limit exceeded", "A large order fails because of the per-payment card limit."),),
        (
            "已调整支付限额",
            "已为企业账户开通大额支付通道，单笔限额调至 20 万元。",
            "We enabled the high-value channel for your company; the per-payment limit is now CNY 200,000.",
        ),
        "payments",
        P(P2=2, P3=2),
        weight=2,
        audience=("enterprise", "store"),
        dept="finance",
        dept_note=("大额通道已审批", "企业资质核验通过，已开通大额通道。"),
        tags=("支付",),
    ),
    # ---- 支付与账务 > 退款 -------------------------------------------------------------------------
    Kind(
        "refund-request",
        "refund",
        "退款申请",
        "Refund request",
        (
            ("申请退款", "订单 {order} 商品不想要了，还没发货，申请退款。"),
            ("仅退款申请", "收到的商品少了一件，申请部分退款。"),
        ),
        (("Refund request", "Please cancel and refund order {order}; it has not shipped yet."),),
        (
            "退款已原路退回",
            "退款已审核通过并原路退回，请留意银行到账通知。",
            "Your refund is approved and sent back to the original payment method.",
        ),
        "payments",
        P(P2=2, P3=3),
        weight=4,
        ticket_type="after_sales",
        dept="finance",
        dept_note=("退款审核通过", "订单未发货，退款审核通过。"),
        tags=("退款",),
        custom="order_no",
    ),
    Kind(
        "refund-not-received",
        "refund",
        "退款未到账",
        "Refund not received",
        (
            ("退款一周了还没到账", "订单 {order} 显示已退款，但是一周了银行卡还没收到。"),
            ("退款显示成功但没到账", "退款成功短信收到了，钱没到。"),
        ),
        (("Refund not received", "The refund for {order} shows as done but nothing arrived after a week."),),
        (
            "已提供退款凭证",
            "已向银行查询，退款已于 3 天前入账，附上银行流水号供您核对。",
            "The bank confirms the refund was credited three days ago; the reference number is attached.",
        ),
        "payments",
        P(P2=3, P3=1),
        weight=3,
        ticket_type="after_sales",
        dept="finance",
        dept_note=("已查询银行退款流水", "退款已入账，流水号已提供给坐席。"),
        tags=("退款",),
        custom="order_no",
    ),
    # ---- 支付与账务 > 发票 -------------------------------------------------------------------------
    Kind(
        "invoice-request",
        "invoice",
        "发票开具",
        "Invoice request",
        (("申请开具增值税专用发票", "订单 {order} 需要开增值税专用发票，抬头和税号见附件。"),),
        (("Please issue a VAT invoice", "We need a VAT invoice for order {order}."),),
        (
            "电子发票已发送",
            "增值税电子专用发票已开具并发送至您的邮箱。",
            "The VAT e-invoice has been issued and emailed to you.",
        ),
        "payments",
        P(P3=3, P4=2),
        weight=3,
        ticket_type="request",
        dept="finance",
        dept_note=("专票已开具", "已按抬头税号开具专票并发送。"),
        tags=("发票",),
        custom="order_no",
    ),
    # ---- 订单与物流 > 门店库存 ---------------------------------------------------------------------
    Kind(
        "inventory-lookup",
        "inventory",
        "门店库存查询异常",
        "Store stock lookup error",
        (
            ("小程序门店库存查询异常", "{store} 在小程序上查库存一直显示“查询失败”，从下午 2 点开始。"),
            ("门店库存显示为 0", "{store} 明明有货，系统里库存全部显示 0，顾客下不了单。"),
            ("库存查询接口报 400", "门店查库存接口返回 400，提示 store_id 无效。"),
        ),
        (
            ("Store stock lookup fails", "The mini-program shows 'lookup failed' for {store} since 2 pm."),
            ("Stock shows zero in store", "{store} has goods on the shelf but the system shows zero stock."),
        ),
        (
            "网关配置已修复，库存恢复",
            "API 网关回滚导致 store_id 字段解析失败，已修复配置，库存查询恢复，期间丢失的请求已补录。",
            "An API gateway rollback broke the store_id field; the config is fixed, lookups work and the lost "
            "requests were replayed.",
        ),
        "inventory",
        P(P1=2, P2=3),
        weight=5,
        audience=("store",),
        dept="tech-support",
        dept_note=("网关 store_id 解析已修复", "14:07 网关回滚导致 400 被静默丢弃，已透传错误并修复。"),
        faults=("HTTP-400", "INV-404"),
        tags=("库存", "门店"),
        custom="store_id",
    ),
    # ---- 订单与物流 > 订单异常 ---------------------------------------------------------------------
    Kind(
        "order-delayed",
        "delivery",
        "发货延误",
        "Shipping delayed",
        (
            ("订单超时未发货", "订单 {order} 付款 5 天了还没发货，承诺是 48 小时发货。"),
            ("物流三天没更新", "订单 {order} 物流信息三天没有更新。"),
        ),
        (
            ("Order not shipped yet", "Order {order} was paid five days ago and still has not shipped."),
            ("Tracking not updated", "Tracking for {order} has not moved for three days."),
        ),
        (
            "已加急发货并提供单号",
            "仓库已加急出库，顺丰单号已更新，预计明天送达，并为您申请了延误补偿券。",
            "The warehouse shipped it with priority; tracking is updated, delivery expected tomorrow, and a "
            "delay voucher has been issued.",
        ),
        "inventory",
        P(P2=3, P3=2),
        weight=5,
        ticket_type="after_sales",
        dept="logistics",
        dept_note=("已加急出库", "仓库漏拣，已加急出库并更新物流单号。"),
        tags=("物流",),
        custom="order_no",
    ),
    Kind(
        "order-status",
        "delivery",
        "订单状态不更新",
        "Order status not updating",
        (("订单已签收但状态没更新", "订单 {order} 已经签收，系统里还是“运输中”，无法确认收货。"),),
        (("Order status stuck", "Order {order} was delivered but still shows In transit."),),
        (
            "已同步物流状态",
            "物流签收回传失败，已手工同步，订单状态更新为已签收。",
            "The carrier's delivery event was lost; we synced it manually and the order shows Delivered.",
        ),
        "inventory",
        P(P3=3, P4=1),
        weight=2,
        dept="logistics",
        dept_note=("签收状态已回传", "承运商回传接口失败，已手工补录。"),
        tags=("物流",),
        custom="order_no",
    ),
    # ---- 订单与物流 > 售后服务 ---------------------------------------------------------------------
    Kind(
        "aftersales-return",
        "after-sales",
        "退换货",
        "Return or exchange",
        (
            ("收到商品有破损，申请换货", "订单 {order} 收到时外壳有裂痕，申请换新。"),
            ("七天无理由退货", "订单 {order} 不合适，申请七天无理由退货。"),
        ),
        (("Item arrived damaged", "Order {order} arrived with a cracked case; I would like a replacement."),),
        (
            "换新商品已发出",
            "已安排上门取件，换新商品同步发出，物流单号已更新。",
            "A courier collects the damaged item and the replacement has shipped; tracking is updated.",
        ),
        "inventory",
        P(P2=2, P3=3),
        weight=4,
        ticket_type="after_sales",
        dept="logistics",
        dept_note=("已安排取件和换新发货", "逆向物流取件已预约，换新商品已出库。"),
        tags=("售后", "退换货"),
        custom="order_no",
    ),
    Kind(
        "aftersales-repair-visit",
        "after-sales",
        "上门维修预约",
        "Repair visit booking",
        (("预约上门维修", "{model} 需要上门维修，希望周末上门，地址 {location}。"),),
        (("Book a repair visit", "I need an engineer for my {model}; weekends suit me best."),),
        (
            "已完成上门维修",
            "工程师已按预约时间上门完成维修，并请您在手机上签字确认。",
            "The engineer came at the booked time, completed the repair and you signed on the phone.",
        ),
        "appliance",
        P(P3=3, P4=1),
        weight=2,
        ticket_type="repair",
        audience=("home",),
        device="aircon",
        dept="field-service",
        dept_note=("已按预约上门完成维修", "客户签字确认，现场照片已上传。"),
        tags=("上门",),
    ),
    # ---- 账户与咨询 ---------------------------------------------------------------------------------
    Kind(
        "account-change-password",
        "account-admin",
        "修改密码",
        "How to change password",
        (("如何修改登录密码", "想修改一下登录密码，在哪里操作？"), ("怎么改密码", "忘记旧密码了，怎么设置新密码？")),
        (("How do I change my password?", "Where can I change my password?"),),
        (
            "已发送修改密码指引",
            "路径：我的 > 账号安全 > 修改密码；忘记旧密码可点“短信验证修改”。图文指南已附上。",
            "Go to Me > Account security > Change password; if you forgot the old one use SMS verification.",
        ),
        "account",
        P(P3=2, P4=3),
        weight=3,
        ticket_type="question",
        tags=("账号",),
    ),
    Kind(
        "account-close",
        "account-admin",
        "账号注销",
        "Close account",
        (("申请注销账号", "不再使用了，申请注销账号并删除个人信息。"),),
        (("Please close my account", "I no longer use the service; please close my account and delete my data."),),
        (
            "账号已注销",
            "身份核验通过，账号已注销，个人信息将在 15 天内删除。",
            "Identity verified; the account is closed and your personal data will be deleted within 15 days.",
        ),
        "account",
        P(P3=2, P4=2),
        weight=1,
        ticket_type="request",
        audience=("home",),
        tags=("账号", "隐私"),
    ),
    Kind(
        "howto-usage",
        "howto",
        "产品使用说明",
        "How-to",
        (
            ("如何批量导入商品", "想批量导入商品资料，有没有模板？"),
            ("子账号怎么设置权限", "怎么给门店店长开子账号并限制只看本店数据？"),
        ),
        (("How do I set up sub-accounts?", "How can store managers get sub-accounts that only see their store?"),),
        (
            "已发送操作指南",
            "操作指南和模板已发送，按文档第 3 节即可完成配置。",
            "The guide and template are attached; section 3 covers exactly this.",
        ),
        "web",
        P(P3=2, P4=3),
        weight=3,
        ticket_type="question",
        audience=("enterprise", "store"),
        tags=("咨询",),
    ),
    Kind(
        "suggestion-feature",
        "suggestion",
        "功能建议",
        "Feature suggestion",
        (("建议增加工单导出功能", "希望能按门店导出工单明细，方便月底对账。"),),
        (("Suggestion: export per store", "It would help to export tickets per store for month-end."),),
        (
            "建议已纳入产品规划",
            "产品团队已评估，该功能排入下季度版本计划，上线后通知您。",
            "The product team accepted it for next quarter's release; we will let you know when it ships.",
        ),
        "web",
        P(P4=1),
        weight=1,
        ticket_type="question",
        audience=("enterprise", "store"),
        tags=("建议",),
    ),
    # ---- 投诉与建议 > 服务投诉 ---------------------------------------------------------------------
    Kind(
        "complaint-slow",
        "service-complaint",
        "响应太慢",
        "Slow response",
        (
            ("投诉：客服响应太慢", "昨天提交的问题到现在没人处理，只回了一句“已收到”。"),
            ("投诉：一直没人跟进", "工单提交三天了，每次打电话都说在处理。"),
        ),
        (("Complaint: nobody answers", "I opened a request two days ago and only got 'received'."),),
        (
            "已致歉并补偿优惠券",
            "已电话致歉并说明原因，原问题已解决，为您发放 50 元服务补偿券。",
            "We called to apologise and explain; the original problem is solved and a service voucher was issued.",
        ),
        "complaint",
        P(P1=2, P2=2),
        weight=2,
        ticket_type="complaint",
        sentiment="angry",
        tags=("投诉",),
    ),
    Kind(
        "complaint-repeat-repair",
        "service-complaint",
        "重复报修",
        "Repeated repair",
        (("同一个问题报修第三次了", "空调同一个问题修了三次还没好，要求换机。"),),
        (("Third repair for the same fault", "This is the third repair for the same fault; I want a replacement."),),
        (
            "已安排换新",
            "经评估同一故障三次维修未解决，已为您安排整机换新。",
            "After three repairs for the same fault we are replacing the unit.",
        ),
        "complaint",
        P(P1=2, P2=1),
        weight=1,
        ticket_type="complaint",
        audience=("home",),
        device="aircon",
        dept="purchasing",
        dept_note=("换新整机已下单", "已向厂家下单换新整机，预计 3 天到货。"),
        sentiment="angry",
        tags=("投诉", "重复报修"),
    ),
]

KINDS_BY_CODE = {k.code: k for k in KINDS}
GROUPS_BY_CODE = {g.code: g for g in GROUPS}

# Generic desk texts (the kind-specific ones are above).
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
