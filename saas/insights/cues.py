"""Cue lexicons for reasons, plus the small grammar words around them (zh-CN + English).

Everything here is data: regular-expression fragments matched against a note that has
been NFKC-normalised and lower-cased. English fragments carry their own ``\\b``; Chinese
fragments match anywhere. Reasons, values and channels follow shared/TAXONOMY.md.

* ``REASON_CUES`` — direct cues per reason code with a weight (3 = decisive,
  2 = strong, 1 = weak hint). The reason with the highest total wins.
* ``ILLNESS`` — illness/injury cues; they count for ``health`` unless a family member
  is the one who is ill (``FAMILY_MEMBERS`` in the same sentence, no ``SELF_MARKERS``).
* ``QUESTION_TOPICS`` — topics that become a ``*_question`` reason only when the clause
  voices a concern or asks (``CONCERN_STRONG`` / ``QUESTION_WEAK``).
* ``NEG_*`` — negation read before or after a cue ("不是因为薪资", "no counter offer").
Value and channel lexicons live in :mod:`saas.insights.cues_values`.
"""

from __future__ import annotations

import re

Cue = tuple[str, float]

REASON_CUES: dict[str, tuple[Cue, ...]] = {
    "project_wrapup": (
        (r"手上(?:的)?(?:项目|系统|工作|活|事)", 3), (r"交接", 3), (r"收尾", 3),
        (r"上线", 3), (r"走不开|离不开|脱不开身|抽不开身", 3), (r"发版|交付|结项|验收", 2),
        (r"项目.{0,8}(?:结束|完成|做完|收尾|交付)", 3), (r"赶项目|忙项目|项目.{0,3}忙", 3),
        (r"(?:处理|忙|做完|完成|结束)(?:着|完)?.{0,6}项目", 3),
        (r"忙完|季度末|关账|结账|审计|年报", 2),
        (r"(?:要|才能|才)(?:结束|完成|忙完|脱身)|(?:负责|手头)的.{0,6}(?:结束|完成)", 2),
        (r"\bwrap(?:ping|s|ped)?\s+(?:it\s+)?up\b", 3),
        (r"\bhand(?:ing|ed)?[\s-]?(?:over|off)\b|\bhandover\b|\bhandoff\b", 3),
        (r"\b(?:finish|finishing|complete|completing|close out|closing out|deliver|delivering"
         r"|ship|shipping)\b.{0,40}\b(?:project|release|launch|migration|rollout|delivery|close"
         r"|sprint|quarter|product|go-live)", 3),
        (r"\brelease\b|\blaunch\b|\bmigration\b|\brollout\b|\bgo[-\s]live\b", 2),
        (r"\bquarter[-\s]end\b|\bdeadline\b|\bcan'?t leave (?:before|until|mid)", 2),
        (r"\bstay(?:ing)? through\b|\buntil the project\b", 2), (r"\bproject\b|项目", 1),
    ),
    "counter_offer": (
        (r"挽留|留人|留任|加薪留|决定留下|先不动|暂时不动|不走了|不打算走", 3),
        (r"提(?:了|出)?(?:涨薪|加薪)", 3),
        (r"(?:老板|领导|上级|原公司|老东家|现公司|现在的公司|主管|经理|总监|公司)"
         r".{0,8}(?:加薪|涨薪|升职|晋升|股票|期权|承诺)", 3),
        (r"承诺.{0,6}(?:升职|加薪|晋升|涨薪)", 3),
        (r"\bcounter[-\s]?offer", 3), (r"\braise to (?:stay|keep)", 3),
        (r"\bretention (?:bonus|package|offer|award)", 3), (r"\bmatched (?:our|the|my) offer", 3),
        (r"\b(?:offered|gave|giving|give|promised)\b.{0,40}\bto stay\b", 3),
        (r"\b(?:asked|convinced|persuaded|begged) (?:him|her|them) to stay", 3),
        (r"\bdecided to stay\b|\bstaying put\b", 3),
        (r"\b(?:current|present|old) (?:employer|company|boss|manager|team)\b.{0,40}"
         r"\b(?:raise|promot|bonus|match|more money|offered)", 3),
        (r"\bpromised (?:him |her |them )?a (?:promotion|raise)", 3),
        (r"\b(?:manager|boss|employer|company)\b.{0,30}\b(?:bumped|raised|increased|upped|doubled)"
         r"\b", 3),
        (r"\bstaying (?:for now|on|at|with)\b|\bgave (?:her |his )?notice\b", 2),
    ),
    "competing_offer": (
        (r"另一家|另外一家|另外.{0,3}(?:offer|机会|公司)|另一个(?:offer|机会)", 3),
        (r"(?:别的|其他|其它)(?:offer|公司|机会)|别家|两家之间|两个offer|几个offer", 3),
        (r"对方公司|也给了offer|也在(?:走流程|面试|谈|聊)|大厂也|手上.{0,6}offer", 3),
        (r"比较.{0,4}offer|offer.{0,4}比较|在谈|权衡", 2),
        (r"拿到了?.{0,10}offer|(?:答复|回复)对方|新公司|新工作|已经入职|已入职", 3),
        (r"\b(?:got|received|has|accepted|signed) (?:an|a|the) (?:offer|job) (?:from|at|with)\b",
         3),
        (r"\banother (?:offer|company|firm|role|position|opportunity)", 3),
        (r"\bother (?:offers?|compan(?:y|ies)|opportunit|firms?)", 3),
        (r"\bcompeting\b|\bcompetitor|\bmultiple offers|\boffer on the table", 3),
        (r"\bweighing\b|\btorn between\b|\b(?:deciding|choosing) between\b", 3),
        (r"\binterviewing (?:elsewhere|with other)|\belsewhere\b|\ba startup that offered", 3),
    ),
    "family_matter": (
        (r"家里有事|家里出了|家庭原因|家事|家中有事|家里老人|老人身体", 3),
        (r"孩子(?:刚)?出生|生孩子|生宝宝|宝宝出生|刚当(?:爸爸|妈妈|爹|妈)|当爸爸|当妈妈", 3),
        (r"陪产|产假|坐月子|怀孕|陪护|丧事|去世|葬礼|奔丧", 3),
        (r"(?:照顾|陪伴)(?:老人|家人|孩子|父母|爸|妈|老婆|妻子|家里)", 3),
        (r"\bfamily (?:emergency|reasons?|matters?|issues?|situation|crisis|commitments)", 3),
        (r"\bnew baby\b|\bhad a baby\b|\bhaving a baby\b|\bnewborn\b", 3),
        (r"\bpaternity\b|\bmaternity\b", 3),
        (r"\b(?:is|are|'s|wife|partner)\s+expecting\b(?!\s+(?:an?|the|to|more|our|their|his|her)"
         r"\b)|\bpregnan", 3),
        (r"\bcaring for\b|\btak(?:e|ing) care of (?:his|her|their) (?:mother|father|mom|dad|mum"
         r"|parents?|kids?|children|family|grand)", 3),
        (r"\bfuneral\b|\bpassed away\b|\bbereavement\b|\bchildcare\b", 3),
    ),
    "process_friction": (
        (r"流程(?:太|很|比较|非常|特别|实在|有点|过于)?(?:繁琐|慢|长|复杂|麻烦|拖|久|多)", 3),
        (r"反复|来回|材料(?:太多|太杂|很多)|一堆.{0,6}材料|再确认|重新(?:填|交|提交|走)|补交", 3),
        (r"拖了|太麻烦|很麻烦|很烦|嫌麻烦|繁琐|等太久|迟迟|太折腾|催了.{0,6}[次遍]|不想再弄", 3),
        (r"背调|几轮|轮面试", 1),
        (r"\bprocess\b.{0,30}\b(?:too|long|slow|endless|tedious|cumbersome|complicated|painful"
         r"|lengthy|drawn[-\s]out|bureaucratic|nightmare|took|dragged|drags|sped up|speed up)", 3),
        (r"\bendless\b|\bdragged\b|\brepeated(?:ly)?\b|\bagain and again\b|\bover and over\b", 3),
        (r"\bpaperwork\b|\bbureaucra|\bred tape\b", 3),
        (r"\b(?:too many|\d+|four|five|six|seven) rounds\b", 3),
        (r"\brounds of interviews\b|\breference checks?\b|\bbackground check|\btake-home\b", 1),
    ),
    "felt_undervalued": (
        (r"模板|群发|没有.{0,6}(?:联系人|对接人|负责人)|不被重视|不受重视|不重视|没被重视", 3),
        (r"系统通知|自动(?:发送|回复|生成)|连个电话都没|冷冰冰|敷衍|不尊重|被忽视|被晾", 3),
        (r"没诚意|没有诚意|不够重视", 3),
        (r"没(?:有)?人(?:跟进|对接|联系|理)", 1),
        (r"\btemplated?\b|\bmass[-\s]?mail|\bform letter\b|\bgeneric\b|\bboilerplate\b", 3),
        (r"\bno (?:named |clear |single |dedicated |real |specific )?(?:contact|point of contact"
         r"|person to talk to)", 3),
        (r"\b(?:didn'?t|don'?t|did not|doesn'?t|does not) (?:really )?care\b|\bnot valued\b", 3),
        (r"\bundervalued\b|\bweren'?t serious\b|\bnot serious\b|\bimpersonal\b|\bautomated\b", 3),
        (r"\bfelt ignored\b|\blike a number\b|\bno personal touch\b|\bdisrespect", 3),
        (r"\bno-?reply\b|\bnoreply\b|\bnever introduced\b|\bdidn'?t (?:even )?introduce", 3),
        (r"\b(?:nobody|no one)\s+(?:ever\s+)?(?:followed up|reached out|called|phoned|contacted"
         r"|got back)|\bnever heard back\b|\bghosted\b", 1),
    ),
    "relocation": (
        (r"搬家|搬去|搬到|搬回|异地|通勤|太远|离家远|远了|换城市|外地|另一个城市|定居|单程", 3),
        (r"不想(?:再)?(?:换|去|搬).{0,4}(?:城市|外地|地方)|回老家|距离|郊区|太偏|偏远", 3),
        (r"(?:开车|坐车|地铁|路上)要|离.{0,6}远", 2),
        (r"\bfar away\b|\blong drive\b|\bsuburb|\bhours? (?:each way|drive)\b", 3),
        (r"\brelocat|\bmoving (?:to|back)\b|\bmove (?:to|back|cities|city)\b|\bcommut", 3),
        (r"\btoo far\b|\blong way\b|\b(?:another|different|other) city\b|\beach way\b", 3),
        (r"\bfar from\b|\bout of town\b|\bcross-country\b", 3),
    ),
}

# Illness / injury; health for the candidate, family_matter for a relative.
ILLNESS = (
    r"手术|生病|病了|患病|住院|出院|休养|病假|养病|身体(?:不好|原因|不适|出了?问题|欠佳|抱恙)"
    r"|受伤|骨折|康复|治疗|看病|开刀|癌|抑郁|中风|病情|医院|摔伤|车祸|意外受伤"
    r"|\bsurger(?:y|ies)\b|\boperation\b|\bsick\b|\billness\b|\bill\b|\bhospital|\brecover"
    r"|\bmedical (?:leave|reasons?|issues?)\b|\binjur|\bstroke\b|\bcancer\b|\btreatment\b"
    r"|\bhealth (?:issues?|problems?|reasons?|scare|condition)\b|\bburn(?:ed|t)?[-\s]?out\b"
    r"|\bchemo|\bdiagnos|\bheart attack\b|\bbr(?:oke|oken) (?:his|her|their|a|an) \w+"
    r"|\bfracture|\baccident\b"
)
FAMILY_MEMBERS = (
    r"家人|家属|家里人|父亲|母亲|父母|爸|妈|老人|爷爷|奶奶|外公|外婆|姥姥|姥爷|老婆|妻子|太太"
    r"|爱人|丈夫|老公|孩子|儿子|女儿|宝宝|岳父|岳母|公公|婆婆|哥哥|弟弟|姐姐|妹妹|亲人|长辈"
    r"|\bfamily\b|\bfather|\bmother|\bdad\b|\bmom\b|\bmum\b|\bparents?\b|\bwife\b|\bhusband\b"
    r"|\bspouse\b|\bpartner'?s?\b|\bson\b|\bdaughter|\bkids?\b|\bchild(?:ren)?\b|\bbaby\b"
    r"|\bgrand(?:mother|father|ma|pa|parents?)\b|\bsister|\bbrother|\bin-laws?\b|\brelative"
    r"|\baunt\b|\buncle\b"
)
SELF_MARKERS = r"自己|本人|\bhimself\b|\bherself\b|\bhis own\b|\bher own\b"

# Topics that only signal a reason when the candidate questions or worries about them.
QUESTION_TOPICS: dict[str, str] = {
    "compensation_question": (
        r"薪资|薪酬|工资|奖金|年终|期权|股票|绩效|涨薪|底薪|提成|待遇|调薪|总包|年薪|月薪"
        r"|\bpay\b|\bsalary|\bbonus|\bequity\b|\bstock|\brsus?\b|\bcommission|\bcompensation"
        r"|\bpackage\b|\bvesting\b|\bvest\b|\bbase\b|\bpayout|\boptions\b"
    ),
    "career_path_question": (
        r"发展路径|晋升|发展空间|发展方向|岗位职责|职责|工作内容|职级|定级|汇报|偏管理|偏技术"
        r"|做执行|成长空间|上升空间|职业发展|\bgrowth\b|\bcareer path|\bpromotion|\bscope\b"
        r"|\bresponsibilit|\bleveling\b|\blevel\b|\btitle\b|\badvancement|\breport(?:s|ing)? to\b"
        r"|\bwhere (?:it|the role|this) leads\b|\bprogression\b|\bladder\b|\bpeople management\b"
        r"|\bpurely technical\b|\bhands-on\b|\bindividual contributor\b|\btrack\b"
    ),
    "culture_question": (
        r"团队文化|文化|氛围|加班|996|管理风格|领导风格|管理方式|工作强度|内卷|大小周|老板|领导|上级"
        r"|强势|压抑|派系|办公室政治"
        r"|\bculture\b|\bovertime\b|\blong hours\b|\bwork[-\s]life\b|\bmicromanag"
        r"|\bmanagement style\b|\bmanager\b|\bboss\b|\btoxic\b|\bcrunch\b|\batmosphere\b"
        r"|\bteam dynamics?\b|\bwork environment\b"
    ),
    "benefits_question": (
        r"福利|社保|公积金|年假|假期|病假|育儿假|产假|陪产假|保险|医疗|远程(?:办公)?政策|补贴"
        r"|补充医疗|体检|餐补|房补|带薪|五险一金|休假|远程办公|居家办公|政策|制度|出差|差旅|报销"
        r"|\bbenefits?\b|\bleave\b|\binsurance\b|\bvacation|\bpto\b|\bparental\b|\bholidays?\b"
        r"|\bremote(?:[-\s]work)? policy\b|\bdental\b|\bpension\b|\b401k\b|\bperks?\b"
        r"|\btime off\b|\bsick days\b|\bdependents\b|\bsocial insurance\b|\bpolicy\b"
        r"|\btravel policy\b|\breimburse|\bremote\b|\bwork(?:ing)? from home\b|\bhybrid\b"
    ),
}

CONCERN_STRONG = (
    r"疑问|疑惑|顾虑|担心|担忧|不清楚|不太清楚|不明白|不明确|没讲清楚|没说清楚|没讲明白|不确定"
    r"|不知道|想了解|想再了解|了解一下|问了|问过|询问|咨询|问到|打听|犹豫|搞不懂|没人解答"
    r"|不理解|困惑|不满|介意|怕|听.{0,4}说|打退堂鼓|想知道|想问|问(?:我们|一下|下|到|hr)"
    r"|\bquestions?\b|\basked\b|\basks\b|\basking\b|\bwonder|\bunsure\b|\bnot sure\b"
    r"|\bisn'?t sure\b|\bunclear\b|\bworr(?:y|ied|ies)\b|\bconcern|\bdoubts?\b|\bhesita"
    r"|\buncertain|\bclarif|\bconfus|\bskeptical\b|\bwary\b|\bnervous\b|\bafraid\b|\bheard\b"
    r"|\breviews\b|\bnot clear\b|\bunhappy with\b|\bput off\b|\bturned off\b"
    r"|\bwant(?:s|ed)? to (?:know|understand|check|clarify)\b"
)
QUESTION_WEAK = r"是否|能不能|可不可以|怎么|如何|多少|吗|有没有|\bwhether\b|\bhow\b|\bif\b|\?"

# Negation read in a short window *before* a decisive cue ("no counter offer").
NEG_BEFORE_CUE = (
    r"(?:(?:不是|并非|并不是)(?:因为)?.{0,2}|不因为.{0,2}"
    r"|(?:n't|\bnot|\bno|\bnever|\bwithout)\b(?:\s+\S+){0,2}\s*)$"
)
# Negation before a topic ("不是因为薪资", "not about the money").
NEG_BEFORE_TOPIC = (
    r"(?:(?:不是|并非|并不是)(?:因为)?.{0,3}"
    r"|\b(?:not because of|not about|nothing to do with|not due to|isn'?t about|wasn'?t about"
    r"|no issue with|no problem with)\b(?:\s+\S+){0,2}\s*)$"
)
# Negation read right *after* a cue ("通勤挺满意", "health is fine now").
NEG_AFTER = (
    r"^.{0,3}(?:没问题|不是问题|都好|挺好|还好|满意|可以接受|能接受|无所谓|无关)"
    r"|^\s*(?:is|was|are|were)?\s*(?:fine|ok|okay|not an issue|not a problem|isn'?t an issue"
    r"|no problem|not a concern)\b"
)

# --- words shared with follow-up extraction -----------------------------------------

CAREER_HORIZON_WORDS = re.compile(
    r"晋升|升职|升为|带团队|做管理|转管理|管理岗|当上|成为|独当一面|职业规划|架构师|经理|主管|总监"
    r"|\bpromot|\blead (?:a|the|his|her|their) team\b|\bleads?\b|\bmanager\b|\bmanagement\b"
    r"|\bmanage people\b|\bsenior\b|\bprincipal\b|\bdirector\b|\bcareer\b|\bbecom(?:e|ing)\b"
    r"|\btech lead\b|\bhead of\b|\bgrow into\b"
)
TRAVEL_WORDS = re.compile(
    r"通勤|单程|往返|车程|路程|开车|坐车|地铁|公交|高铁|火车|飞机|航班|路上|公里"
    r"|\bcommut|\bdrive\b|\bdriving\b|\bby (?:train|car|plane|air|bus)\b|\bflight\b"
    r"|\beach way\b|\bone way\b|\baway\b|\bride\b|\bkm\b|\bmiles?\b"
)
QUESTION_WORDS = re.compile(CONCERN_STRONG + "|" + QUESTION_WEAK)
BENEFIT_OR_PAY_TOPIC = re.compile(
    QUESTION_TOPICS["benefits_question"] + "|" + QUESTION_TOPICS["compensation_question"]
)
