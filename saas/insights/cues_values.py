"""Value and channel cue lexicons (zh-CN + English), as regex fragments.

Matched against NFKC-normalised, lower-cased text (see :mod:`saas.insights.cues`).

* A value topic (``VALUE_TOPICS``) counts only inside a clause where the candidate says
  what they value or look for (``VALUE_MARKERS``), not where they ask or worry, and not
  when the clause waves it away (``VALUE_NEGATORS``: 对薪资要求不高, isn't what matters)
  or a refusal precedes it (``VALUE_REFUSALS``: 不希望加班, doesn't want a startup; only up
  to the next thing wanted).
  ``VALUE_STANDALONE`` cues carry their own "wants" sense (不想再折腾).
* ``DEMOTERS`` mark what follows them as the lesser option (重视团队氛围超过薪资,
  values mentorship above salary, prefers email over calls).
* A channel counts only as a preference: a channel word in a clause with a
  ``CHANNEL_PREF_MARKERS`` word (习惯用微信, prefers email, reach her on LinkedIn), or an
  imperative that embeds the channel (加微信, text her, call him, or recruiter shorthand
  where the bare channel closes the note: 出院再议 邮件, "…, by phone."). Channels named as how
  something happened (电话没人接, nobody called her, email bounced) don't count.
"""

from __future__ import annotations

VALUE_TOPICS: dict[str, str] = {
    "flexibility": (
        r"弹性|远程|居家办公|在家办公|不打卡|(?:不用|不必|无需|免)(?:天天|每天)?(?:打卡|坐班)"
        r"|灵活(?:的)?(?:工作|时间|上下班|办公)|混合办公"
        r"|不坐班|自由(?:的)?(?:工作)?时间|\bwork(?:ing)? from home\b|\bwfh\b|\bremote\b"
        r"|\bhybrid\b|\bflexib|\bflexi-?time\b|\bflex\b|\bown hours\b|\bfour-day week\b"
        r"|\bremote[-\s]first\b|\bno fixed hours\b|\bremotely\b"
    ),
    "team_culture": (
        r"团队氛围|工作氛围|氛围|同事关系|同事|团队文化|文化|人际关系|团队(?:融洽|和谐|轻松)"
        r"|\bculture\b|\batmosphere\b|\bvibe\b|\bcolleagues\b|\bteammates\b|\bteam spirit\b"
        r"|\bfriendly team\b|\bgood team\b|\bcollaborative\b|\bwork environment\b"
        r"|\bsupportive team\b|\bteam dynamics?\b|好相处|靠谱|互相帮助|人好"
        r"|\bpeople (?:he|she|they) work with\b"
        # "a team with real mentorship" values the mentorship, not the team
        r"|\b(?:a|the) team (?:where|that|who|with)\b"
        r"(?!(?:\s+(?:real|good|great|strong|proper|solid|lots of|plenty of|more))*"
        r"\s+(?:mentor|training|learning|coaching|growth|flexib|remote|pay|salary))"
        r"|\bhelp(?:s|ing)? each other\b|\bnice people\b"
        r"|\b(?:close|tight)[-\s]?knit\b|\bpart of (?:a|the) (?:\w+ )?team\b|\bteamwork\b"
        r"|\bcamaraderie\b"
    ),
    "compensation": (
        r"薪资|薪酬|待遇|涨薪|工资|收入|薪水|总包|年薪|月薪|加薪|高薪|钱"
        r"|\bpay\b|\bsalary|\bcompensation\b|\bmoney\b|\bpackage\b|\bincome\b|\braise\b"
        r"|\bcomp\b|\bearnings\b|\bcash\b|\bpaid well\b|\bhigher pay\b"
    ),
    "training": (
        r"培训|导师|学习机会|学习|轮岗|成长计划|带教|师傅|技能提升|进修|学到|学东西|能学"
        r"|\btraining\b|\bmentor(?:ship|s)?\b|\bmentored\b"
        # being mentored, not mentoring others ("loves mentoring juniors")
        r"|\bmentoring\b(?!\s+(?:juniors?|others|new|interns?|people|grads|graduates|younger"
        r"|(?:the |a |his |her )?(?:team|colleagues|engineers|developers|staff)|him|her|them))"
        r"|\blearning\b|\blearn\b|\brotation"
        r"|\bcoaching\b|\bcourses?\b|\bupskill|\bdevelopment program"
    ),
    "family": (
        r"陪家人|陪伴家人|陪孩子|陪老婆|陪老公|育儿假|离家近|家庭友好|照顾家庭|兼顾家庭|家庭时间"
        r"|产假|陪产假|多陪|带娃|带孩子|接送孩子|陪娃|顾家|照顾(?:家里|孩子|家人|老人)"
        r"|\btime with (?:his |her |their )?family\b|\bfamily time\b|\bparental leave\b"
        r"|\bclose to home\b|\bnear (?:his |her |their )?home\b|\bfamily[-\s]friendly\b"
        r"|\bwith (?:his|her|their) kids\b|\bpick(?:ing)? up (?:the|his|her|their) kids\b"
        r"|\bmaternity leave\b|\bpaternity leave\b"
    ),
    "career_growth": (
        r"晋升|升职|发展空间|带团队|做管理|转管理|管理岗|发展前景|成长空间|职业发展|上升空间"
        r"|当(?:经理|主管|leader)|独当一面"
        r"|(?:做到|升到|当上|升为|成为)[^,,。;;]{0,4}(?:经理|总监|主管|组长|架构师|专家|负责人|leader|lead"
        r"|vp|cto|合伙人|带头人)"
        r"|\bpromot|\bgrowth\b|\bcareer (?:growth|progression|advancement|development|path|step)\b"
        r"|\blead(?:s|ing)? (?:a |the |his |her |their |own )?(?:own )?teams?\b|升到|升为|当上"
        r"|\bmanag(?:e|ing) people\b|\bmanagement\b|\bmanager role\b|\btech lead\b"
        r"|\bteam lead\b|\bleadership\b|\badvance|\bprogression\b|\bgrow(?:s|ing)? into\b"
        r"|\bmove up\b"
        r"|\b(?:lead|leadership|senior|management|managerial|staff|principal)"
        r" (?:role|position|track)\b"
        r"|\bbecom(?:e|ing) (?:a |an )?(?:\w+ )?"
        r"(?:manager|lead|director|head of|architect|principal)\b"
        r"|\b(?:engineering|people|line|team|product|project) manager\b|\bstep up\b"
        r"|管理方向|往管理|走管理|管理路线|晋升空间|\bmanag(?:e|ing) (?:a |the )?(?:team|people)\b"
    ),
    "stability": (
        r"稳定(?!的?(?:收入|薪资|工资|薪水))|大平台|大公司|大厂|安稳|铁饭碗|国企|央企"
        r"|\bstabilit|\bstable\b(?!\s+(?:base\s+)?(?:salary|pay|income|paycheck))"
        r"|\bestablished\b|\bjob security\b|\bsecure (?:job|role|position)\b|\bsecurity\b"
        r"|\blarge company\b|\bbig company\b|\blong[-\s]term\b"
    ),
}

VALUE_STANDALONE: dict[str, str] = {
    "stability": r"不想再折腾|不想折腾|不愿再折腾|\btired of (?:job[-\s]hopping|startups)\b",
}

VALUE_MARKERS = (
    r"(?<!太)(?<!过于)(?<!过分)(?:看重|在意|重视)|希望(?!了解|知道)|想找|想要"
    r"|(?<!不)想(?!知道|问|了解|再了解|确认|清楚|搞清楚|弄清楚|跟|和|与|先|聊|见|看看|等)"
    r"|最重要|(?<!不)(?<!不太)(?<!不那么)(?<!没那么)重要|在乎|看中|喜欢|追求|期望|偏好|倾向|需要|必须|一定要|底线|刚需|硬性|首要|第一位|优先"
    r"|前提|目标"
    r"|要求|关注|只考虑|只要|前提是|最好|理想|向往|渴望|感兴趣|心动"
    r"|\bvalues?\b|\bvalued\b|\bcares?\b|\bcaring\b|\blook(?:s|ing)? for\b|\bseek(?:s|ing)?\b"
    r"|\bwant(?:s|ed)?\b(?!\s+to\s+(?:know|ask|understand|check|confirm|clarify))"
    r"|\bwould like\b|'d like\b|\bhop(?:e|es|ing)\b|\bprefer"
    r"|\bimportant\b|\bkey (?:for|to) (?:her|him|them)\b|\bkey (?:things?|factors?|criteria)\b"
    r"|\bmatters?\b|\bpriorit|\bmust\b|\bnon-negotiable\b|\bessential\b"
    r"|\bkeen\b|\blove|\blikes?\b|\bonly consider|\bwould consider\b"
    r"|\bif (?:she|he|they) (?:could|can)\b|\bas long as\b|\bneeds?\b|\binterested in\b"
    r"|\bdrawn to\b|\bappreciat|\bexcited about\b|\bdream\b|\bideal\b|\bbig on\b"
    r"|\b(?:mainly |really |mostly )?after (?:a|an|more|better|bigger|higher)\b|\bforemost\b"
    r"|\baim(?:s|ing)? (?:for|to)\b|\bgoal\b|\bmotivated by\b|\bdriven by\b|\bmotivat(?:es|ion)\b"
)
VALUE_NEGATORS = (
    r"要求不高|不重要|不(?:是|太|算|怎么)?(?:很|太|特别|非常|那么)?重要|无所谓|不在意|不看重|不在乎|不是重点|不是最重要"
    r"|其次(?!是|要|看重|在意|还|也)|不太看重|不关心|不追求"
    r"|\bnot important\b|\b(?:doesn'?t|don'?t|does not|do not) (?:really )?(?:care|matter)"
    r"|\bisn'?t what\b|\bnot what\b|\b(?:not|isn'?t) a priority\b|\bless important\b"
    r"|\bflexible on\b|\bnot fussed\b|\bsecondary\b"
    r"|\bisn'?t important\b"
    r"|差不多就行|差不多就好|过得去就行|够用就行|不强求|不太计较|不计较"
)
# Refusals that wave off only what follows them (不希望加班, doesn't want a pay cut):
# "values stability and doesn't want to burn bridges" still values stability.
VALUE_REFUSALS = (
    r"不希望|不想要|\bnot looking for\b|\bnot interested in\b"
    r"|\b(?:doesn'?t|don'?t|does not|do not) want\b"
)
DEMOTERS = (
    r"超过|胜过|而非|而不是|比起|相比|高于|\bover\b|\babove\b(?! all\b)|\bmore than\b"
    r"|\brather than\b"
    r"|\binstead of\b|\bthan\b|\bahead of\b"
)

CHANNEL_WORDS: dict[str, str] = {
    "email": r"邮件|邮箱|\be-?mails?\b|\bemail(?:ed|ing)?\b",
    "sms": r"短信|\bsms\b|\btext(?:s|ed|ing)?\b(?!\s+(?:of|book|box))|\btext messages?\b|\btxts?\b",
    "wechat": r"企业微信|企微|微信|\bwechat\b|\bweixin\b|\bwecom\b|\bwx\b|\bvx\b",
    "linkedin": r"领英|\blinkedin\b|\binmails?\b",
    "phone": r"电话|打给|致电|手机|\bphone(?:d|s)?\b|\bcall(?:s|ed|ing)?\b|\bring\b",
}
CHANNEL_PREF_MARKERS = (
    r"习惯|喜欢|偏好|更愿意|愿意|最好|倾向|方便|即可|就好|就行|可以(?:打|发|加|用|通过)|优先"
    r"|(?<![邀申聘宴提恳敬])请(?!他|她|候选人)"
    r"|回复(?:比较|很|更|最)?快|回得(?:比较|很|更|最)?快|常用|只用|只看|首选|为主"
    r"|平时|平常|一般(?:都)?(?:用|走|看)|主要(?:用|看)|找得到|联系得上"
    r"|\bprefer(?:s|red|ence|ably)?\b|\brather\b(?!\s+than)|\bbest\b|\bworks? (?:best|better|well)"
    r"|\b(?:contact|reach|message|ping) (?:him|her|them|me) (?:via|on|by|through|at)\b"
    r"|\breach(?:able)? (?:via|on|by|through|at)\b|\bplease\b|\bpl[sz]\b|\bhappy (?:to|with)\b"
    r"|\breach out (?:to (?:him|her|them) )?(?:via|on|by|through|over)\b"
    r"|\b(?:usually|normally|mostly|always) (?:on|uses?|checks?|reads?|answers?)\b"
    r"|\bfavou?rs?\b|\bresponds? (?:fast|quick|best|better)|\bresponsive\b|\banytime\b"
    r"|\b(?:e-?mail|text|wechat|linkedin|phone|calls?)\s+only\b|\bonly\s+(?:by|via|on|through)\b"
    r"|(?<!felt )(?<!feels )(?<!looks )(?<!looked )(?<!seems )(?<!seemed )(?<!sounds )\blikes?\b"
    r"|\b(?:contacted|reached|messaged|pinged) (?:via|on|by|through|over)\b"
    r"|\bway to (?:reach|contact|get hold of|get in touch)\b|\bonly (?:\w+ )?way\b"
    r"|\basked (?:us )?to (?:be )?(?:contact|reach|email|text|call|message|ping)"
    r"|\b(?:is|are) (?:fine|ok|okay|best|better|preferred)\b"
    r"|\b(?:e-?mail|text|wechat|linkedin|phone|inmail)s?\s+(?:messages?|dms?)\s+only\b"
    r"|(?:让|叫|要|请)我们|保持联系|留(?:了)?.{0,2}(?:微信|邮箱|电话)"
)
# Imperatives that both name a channel and say "use this" (加微信, text her, call him).
CHANNEL_IMPERATIVES = (
    r"加(?:个|一下)?(?:他|她|我)?(?:的)?微信|打给(?:他|她)|给(?:他|她)打(?:个)?电话"
    r"|(?:发|打)(?:个)?(?:短信|邮件|电话)给(?:他|她)|给(?:他|她)发(?:个)?(?:短信|邮件|微信)"
    r"|打(?:他|她)(?:的)?(?:电话|手机)"
    r"|\b(?:call|text|e-?mail|phone|ring|wechat)\s+(?:him|her|them)\b"
    r"|(?:企业微信|企微|微信|邮件|邮箱|短信|电话|手机|领英|vx|wx|wechat|linkedin|e-?mail|sms|phone)"
    r"\s*(?:上)?"
    r"(?:(?:保持|再|直接|继续)?(?:联系|找|沟通|聊|戳|约|留言|留个言)(?:他|她|本人)?"
    r"|(?:联系|沟通|找(?:他|她))?(?:回复|回得)?(?:最|更|比较)(?:快|及时|方便))"
    r"(?:就行|就好|即可|吧|最好|(?:比较|更|最)?(?:方便|快|及时|好)|为主)?(?=\s*(?:[,,。;;!?!?~～]|$))"
    # 微信留言她会看: a channel the candidate reads or answers
    r"|(?:企业微信|企微|微信|邮件|邮箱|短信|领英|wechat|e-?mail|sms|linkedin)\s*(?:上)?"
    r"(?:留(?:个)?言|发(?:个)?(?:消息|信息))?(?:的话)?\s*(?:他|她|本人)?(?:都|一般|肯定|通常){0,2}"
    r"(?:会|能)(?:看到?|回(?:复)?|及时回)(?!答)"
    r"|(?<![不没])(?:会|能|常|经常|每天都?)(?:看|回|查)(?:一下)?"
    r"(?:企业微信|企微|微信|邮件|邮箱|短信|领英|wechat|e-?mail|sms|linkedin)"
    # 发短信, 发email给她, 希望以后打电话: an instruction that ends its clause
    r"|(?:(?:^|(?<=[\s,,。;;]))(?:请|直接|就)?|(?:希望|以后|今后|下次|往后|改成|改用)(?:都|还是|请|能)?"
    r"(?:用|通过|走)?)(?:发|打|加)(?:个|条|封)?"
    r"(?:短信|邮件|微信|电话|e-?mail|wechat|sms)(?:给(?:他|她|我们))?(?:吧|即可|就行|就好)?"
    r"(?=\s*(?:[,,。;;!?!?.~～\n]|$))"
    r"|有事(?:直接)?(?:可以)?(?:发|打|用|走)?(?:个)?(?:消息|信息|私信|留言)?(?:到|在|给)?"
    r"(?:企业微信|企微|微信|邮件|短信|电话|手机|领英)"
    r"|(?:发|留)(?:个)?(?:消息|信息|私信|留言)(?:到|在)(?:企业微信|企微|微信|邮箱|领英)"
    # recruiter shorthand: the channel alone closes the note or a sentence (出院再议 邮件)
    r"|(?:^|(?<=[,,。;;::.!?!?\n])|(?<=[\u4e00-\u9fff])(?<![了发过用打给到的在])\s+)\s*"
    r"(?:企业微信|企微|微信|邮件|邮箱|短信|电话|领英|wechat|e-?mail|sms|text|phone|linkedin)"
    r"\s*(?:联系|可以|也可以|也行|ok|okay|优先|即可|就行|就好|为主)?(?=\s*(?:[,,。;;!?!?.~～\n]|$))"
    # an elliptical instruction after a comma: "try again in a few weeks, by phone."
    r"|(?<=[,,\-–—])\s*(?:by|via|over|through)\s+(?:e-?mail|text|sms|wechat|linkedin|phone)"
    r"(?=\s*(?:[.;!?\n]|$))"
    r"|\b(?:asked|asks|asking) (?:us )?for (?:an? |the )?(?:\w+ )?"
    r"(?:e-?mails?|texts?|sms|wechat|linkedin|inmails?|calls?|phone calls?)\b"
    r"|\b(?:e-?mail|texts?|txt|sms|wechat|linkedin|inmail|calls?|phone)\s+(?:is\s+"
    r"|are\s+)?(?:still\s+)?"
    r"(?:ok|okay|fine|good|works|best|preferred|easiest|easier|simplest|quickest|fastest"
    r"|most convenient|more convenient)\b"
    r"|\bsend (?:it|them|this|that|things|the \w+|\w+ \w+)\s+(?:by|via|over|through|on)\s+"
    r"(?:e-?mail|texts?|sms|wechat|linkedin)\b"
    r"|\b(?:talk|chat|speak|touch base|reconnect|circle back|check in|follow up|try again"
    r"|reach out|get back|keep in touch|stay in touch)\b[^.;,]{0,40}"
    r"\b(?:via|over|by|on)\s+(?:e-?mail|text|sms|wechat|linkedin|phone)\b"
    r"|\b(?:so|just|then)\s+(?:e-?mail|text|wechat|linkedin|call|phone)(?=\s*(?:[.,;!?]|$))"
    r"|\b(?:shoot|drop|send|fire off|give)\s+(?:him|her|them)\s+(?:a|an)\s+(?:quick\s+|short\s+)?"
    r"(?:e-?mail|text|sms|wechat|inmail|linkedin message|call|ring)\b"
)
# A channel preceded by these is not wanted (不要打电话, doesn't want to be called).
CHANNEL_NEG_BEFORE = (
    r"(?:(?:不要|别|不想|不喜欢|不接|没人|没有人|不用|不方便|不看|很少看|从不|不回|拒接|没)\S{0,3}"
    r"|(?:n't|\bnot|\bnever|\bno|\bnobody|\bno one|\bwithout|\bavoid|\bhates?|\bdislikes?)\b"
    r"(?:\s+\S+){0,5}\s*)$"
)
CHANNEL_DEMOTED_BEFORE = (
    r"(?:(?:(?<!out )(?<!talk )(?<!chat )(?<!touch )(?<!contact )(?<!message )(?<!speak )"
    r"(?<!reach )(?<!connect )\bover|\bthan|\binstead of|而非|而不是|不是|比)\s*(?:by\s+|via\s+"
    r"|on\s+|用|打|发)?"
    r"|(?:wechat|e-?mail|linkedin|sms|texts?|phone|calls?|邮件|微信|短信|电话|领英)\s+to\s+)$"
)
# A channel followed by these failed or is unwelcome (电话不方便接, email bounced).
CHANNEL_NEG_AFTER = (
    r"^\s*(?:不方便|不接|打不通|没人接|不回|不好用|不常用|很少|bounced|doesn'?t work|didn'?t work"
    r"|went unanswered|isn'?t ideal)"
)
