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

# ``\b`` in these lexicons means an ASCII word edge: "了counter" and "leader给" have one,
# although Python's Unicode ``\b`` sees no edge between CJK and Latin letters. A ``\b``
# that opens an alternative starts a word, one right after a letter ends it; the rare
# other one tests both ways.
_WORD_START = r"(?<![a-z0-9_])"
_WORD_END = r"(?![a-z0-9_])"
_WORD_EDGE = rf"(?:{_WORD_START}(?=[a-z0-9_])|(?<=[a-z0-9_]){_WORD_END})"
_EDGE = re.compile(r"(?P<opens>^|\||\((?:\?:)?)?(?<=(?P<after>[a-z0-9']))?\\b")


def ascii_edges(pattern: str) -> str:
    """Replace every ``\\b`` in ``pattern`` by an ASCII word-edge test."""
    def edge(m: re.Match[str]) -> str:
        if m.group("opens") is not None:
            return m.group("opens") + _WORD_START
        return _WORD_END if m.group("after") else _WORD_EDGE
    return _EDGE.sub(edge, pattern)


def compile_cues(pattern: str) -> re.Pattern[str]:
    """Compile a lexicon with ASCII word edges."""
    return re.compile(ascii_edges(pattern))


REASON_CUES: dict[str, tuple[Cue, ...]] = {
    "project_wrapup": (
        (r"手(?:上|头|里)(?:的|那个|这个)?(?:项目|系统|工作|活|事|版本|需求)", 3), (r"交接", 3),
        (r"收尾|收完|还差最后|最后一(?:段|块|个阶段|期)", 3),
        (r"结项|封版|版本.{0,6}(?:发|上)|(?:版本|代码|需求|包)[^,,。;;]{0,4}发出去|接替|接班|带新人"
         r"|迁移|冲刺|攻坚|交付期|项目期|甲方|客户项目|驻场", 2),
        (r"上线", 3), (r"发版|交付|结项|验收", 2),
        (r"走不开|离不开|脱不开身|抽不开身|抽身|脱身|知识(?:转移|交接|移交)|移交", 3),
        (r"交完|带新(?:人|同事|员工)", 2),
        (r"项目.{0,8}(?:结束|完成|做完|收尾|交付)", 3), (r"赶项目|忙项目|项目.{0,3}忙", 3),
        (r"(?:处理|忙|做完|完成|结束)(?:着|完)?.{0,6}项目", 3),
        (r"忙完|季度末|关账|结账|审计|年报", 2),
        (r"(?:要|才能|才)(?:结束|完成|忙完|脱身)|(?:负责|手头)的.{0,6}(?:结束|完成)", 2),
        (r"\bwrap(?:ping|s|ped)?\s+(?:it\s+)?up\b", 3),
        (r"\bhand(?:ing|ed)?[\s-]?(?:over|off)\b|\bhandover\b|\bhandoff\b", 3),
        (r"\b(?:finish|finishing|complete|completing|close out|closing out|deliver|delivering"
         r"|ship|shipping)\b.{0,40}\b(?:project|release|launch|migration|rollout|delivery|close"
         r"|sprint|quarter|product|go-live|engagement|contract|assignment|implementation|audit"
         r"|integration|upgrade|build|deployment|program)", 3),
        (r"\b(?:whoever|someone|somebody|the person|the new \w+"
         r"|(?:his|her|their) (?:replacement|successor)) (?:who )?(?:will |would |can )?"
         r"tak(?:e|es|ing) over\b|\btak(?:e|es|ing) over (?:his|her|their)"
         r" (?:work|duties|role|accounts|projects|clients|tasks)\b"
         r"|\bknowledge transfer\b|\bonly one who knows\b"
         r"|\b(?:writing|write|documenting|document) (?:up )?(?:docs|documentation|runbooks?|notes)"
         r"|\bclient (?:engagement|project|work|deliverable)|\bengagement\b|\bdeliverables?\b", 2),
        (r"\brelease\b|\blaunch\b|\bmigration\b|\brollout\b|\bgo[-\s]live\b", 2),
        (r"\b(?:replacement|successor)\b|\btransition(?:ing)? (?:out|(?:his|her|their) work)"
         r"|\bquarter close\b|\bclos(?:e|ing) the (?:quarter|books|year)\b|\bsprint\b", 3),
        (r"\bquarter[-\s]end\b|\bdeadline\b|\bcan'?t leave (?:before|until|mid)", 2),
        (r"\bstay(?:ing)? through\b|\buntil the project\b", 2),
        (r"\bsee (?:it|this|that|things|the \w+) through\b|\bcut-?over\b|\bmid-(?:project|release"
         r"|migration|launch)\b|\bin the middle of (?:a|an|the) (?:\w+ )?(?:project|release|launch"
         r"|migration|rollout|cutover)", 3), (r"\bproject\b|项目", 1),
    ),
    "counter_offer": (
        (r"挽留|留人|留任|加薪留|决定留下|先不动|暂时不动|(?:先|暂时)不想动|不走了|不打算走", 3),
        (r"(?:老板|领导|上级|原公司|原单位|老东家|(?:现|原|目前的|现在的)公司|主管|经理|总监"
         r"|leader|boss)"
         r"[^,,。;;!?!?]{0,4}(?:不放|不肯放|不想放|不愿放|舍不得放|不让走|死活不)", 3),
        (r"(?:老板|领导|上级|原公司|原单位|老东家|(?:现|原|目前的|现在的)公司|主管|经理|总监"
         r"|leader|boss)[^。;;!?!?\n]{0,24}(?:给了?|提了?|开了?|答应|承诺|许诺)[^。;;!?!?\n]{0,8}"
         r"(?:加薪|涨薪|升职|晋升|[总经]监|title|头衔|调岗)"
         r"|不好意思(?:走|离开|提离职)|不忍心(?:走|离开)", 3),
        (r"提(?:了|出)?(?:涨薪|加薪)", 3),
        (r"(?:老板|领导|上级|原公司|原单位|老东家|(?:现|原|目前的|现在的|他的|她的)公司|主管|经理"
         r"|总监|leader|boss)[^,,。;;!?!?]{0,12}(?:加薪|涨薪|涨了|升职|升了|晋升|股票|期权|承诺"
         r"|调(?:了)?薪|加(?:了)?钱"
         r"|给(?:了)?钱|涨(?:了)?工资|答应"
         r"|counter)", 3),
        (r"留住(?:他|她)|让(?:他|她)留(?:下|任)|为了留|(?:要走|提(?:了)?离职|辞职|递(?:了)?辞呈)"
         r"[^。;;!?!?\n]{0,30}(?:涨|加薪|加钱|调薪|调了薪|升职|挽|留|转岗|答应)"
         r"|\bcounter(?:ed|ing)?\b", 3),
        (r"承诺.{0,6}(?:升职|加薪|晋升|涨薪)", 3),
        (r"\bcounter[-\s]?offer", 3), (r"\braise to (?:stay|keep)", 3),
        (r"\bstay(?:-on)? (?:bonus|package|incentive|award)\b|留任(?:奖|激励|补贴)", 3),
        (r"\bretention (?:bonus|package|offer|award)", 3), (r"\bmatched (?:our|the|my) offer", 3),
        (r"\b(?:boss|manager|employer|company|firm|team lead)\b.{0,20}"
         r"\bmatch(?:ed|es|ing)? (?:it|that|ours|the (?:number|package|salary))\b", 3),
        (r"\b(?:offered|gave|giving|give|promised)\b.{0,40}\bto stay\b", 3),
        (r"\b(?:asked|convinced|persuaded|begged) (?:him|her|them) to stay", 3),
        (r"\bdecided to stay\b|\bstaying put\b", 3),
        (r"\b(?:current|present|old) (?:employer|company|boss|manager|team)\b.{0,40}"
         r"\b(?:raise|promot|bonus|match|more money|offered)", 3),
        (r"\bpromised (?:him |her |them )?a (?:promotion|raise)", 3),
        (r"\b(?:manager|boss|employer|company)\b.{0,30}\b(?:bumped|raised|increased|upped|doubled)"
         r"\b", 3),
        (r"\bstaying (?:for now|on|at|with)\b|\bgave (?:her |his )?notice\b", 2),
        (r"\bto (?:keep|retain) (?:him|her|them)\b|\bretention\b|\bretain(?:ed)?\b", 3),
        (r"\b(?:raise|bump|promotion|promoted|more money|package|counter)\b.{0,50}\b(?:leaving"
         r"|resign\w*|(?:gave|giving|handed in) (?:his |her )?notice|quit)", 3),
        (r"\b(?:resign\w*|gave (?:his |her )?notice|handed in (?:his |her )?notice)\b.{0,50}"
         r"\b(?:raise|bump|promot\w*|package|match\w*|counter\w*|more money)\b"
         r"|\b(?:employer|company|boss|manager)\b.{0,20}\bcame back with\b", 3),
    ),
    "competing_offer": (
        # Settled: the candidate already took another offer. Whatever led there (a slow
        # process, a pay question) is history, so this outweighs any number of them.
        (r"(?:已经|已)(?:接|接受|签|签了|答应|选)了?(?:另一家|另外一家|别家|其他家|别的公司|其他公司"
         r"|对方|那边|那家)|(?:接|接受|签)了(?:另一家|另外一家|别家|其他家|别的公司|其他公司|对方"
         r"|那边|那家)"
         r"|已经(?:入职|去了|加入了?)(?:另一家|别家|其他家|新公司|其他公司|竞对|竞争对手)"
         r"|\b(?:already |has |had |went and )?(?:accepted|signed|took) (?:another|a competing"
         r"|the other|a rival|an offer (?:from|at|with)|their offer)\b"
         r"|\b(?:already |has |had )(?:joined|started at) (?:another|a competitor|a rival)", 5),
        (r"另一家|另外一家|另外.{0,3}(?:offer|机会|公司)|另一个(?:offer|机会)|另一边|另一方"
         r"|那边(?:也)?给了?", 3),
        (r"(?:比较|对比|考虑|权衡|看)(?:着)?.{0,3}(?:[几两三四五多]|\d)(?:个|家)"
         r"(?:机会|offer|公司|选择)"
         r"|(?:[几两三四五多]|\d)(?:个|家)(?:机会|选择)(?:之间|里|中)?|口头offer|书面offer"
         r"|骑驴找马", 3),
        (r"(?:别的|其他|其它)(?:offer|公司|机会)|别家|两家之间|两个offer|几个offer", 3),
        (r"对方公司|也给了offer|也在(?:走流程|面试|谈|聊)|大厂也|手(?:上|里|头).{0,6}offer", 3),
        (r"(?:[几两三多]|\d)(?:个|家)offer|别家|其他家|几家|跳槽到|跳到|新东家|其中一家|两家公司"
         r"|同时(?:在)?(?:跟|和|面|聊|谈)", 3),
        (r"等.{0,8}(?:终面|复面|hr面|二面|三面|面试结果|口头offer)|(?:推了|推荐了|在看|在面|面了"
         r"|接触)"
         r"(?:一家|别的|其他|几家|另)|对比|货比|外企|猎头", 2),
        (r"(?:入职|去了|加入|跳槽到|已经在|已在|在)了?(?:新公司|新单位)|找到了?新工作"
         r"|已经(?:去|入职)", 3),
        (r"比较.{0,4}offer|offer.{0,4}比较|在谈|权衡", 2),
        (r"拿到了?.{0,10}offer|(?:答复|回复)对方|已经入职|已入职", 3),
        (r"\b(?:got|received|has|accepted|signed) (?:an|a|the) (?:offer|job) (?:from|at|with)\b",
         3),
        (r"\banother (?:offer|company|firm|role|position|opportunity)", 3),
        (r"\bother (?:offers?|compan(?:y|ies)|opportunit|firms?)", 3),
        (r"\bcompeting\b|\bcompetitor|\bmultiple offers|\boffer on the table", 3),
        (r"\bweighing\b|\btorn between\b|\b(?:deciding|choosing) between\b"
         r"|\bjuggling (?:\w+ )?(?:offers|options|opportunities|processes)\b"
         r"|\b(?:a few|several|multiple|other|two|three) (?:options|offers|opportunities"
         r"|processes)\b"
         r"|\bkeep(?:ing)? (?:his|her|their|the) options open\b", 3),
        (r"\binterviewing (?:elsewhere|with other)|\belsewhere\b|\ba startup that offered", 3),
        (r"\b(?:better|higher|bigger|competing|rival) offer\b|\bfinal rounds? (?:with|at)\b"
         r"|\b(?:accepted|took|joined|joining) (?:an? |another )(?:\w+ )?(?:role|job|position|offer"
         r"|company|startup|firm)\b|\binterviewing (?:at|with) (?!us\b|our\b)", 3),
        (r"\bnew (?:job|employer|company)\b|\boffer from\b", 2),
        (r"\b(?:late|final|advanced)[-\s]stages?\s+(?:talks|interviews?|process(?:es)?|rounds?"
         r"|discussions)\b(?!\s+with (?:us|our)\b)"
         r"|\btalks with (?:a|an|another|other|two|several)\b"
         r"|\boffers? in hand\b|\bin hand from\b", 3),
        (r"\b(?:a |the )?verbal (?:offer )?(?:from|at|with)\b|\bwritten offer\b"
         r"|\bwaiting on (?:an?|the|their) offer\b", 3),
        (r"(?:跟|和|与)(?:一家|另|别|其他|几家).{0,8}(?:谈|聊|面)|对方(?:的|给|开)", 3),
        # a rival's offer set beside ours: 竞对也发了offer, 两边在比, comparing our offer against
        (r"竞对|竞品公司|也(?:发|给|开|谈)了?(?:个|一个)?offer|(?:两边|两家|两头)(?:在|还在|正在)?"
         r"(?:比|对比|比较|权衡|掂量|选)"
         r"|\bcompar(?:e|es|ed|ing)\b.{0,40}\boffers?\b|\boffers?\b.{0,30}\bcompar(?:e|es|ed|ing)\b"
         r"|\b(?:our|the) offer (?:against|with|to|versus|vs\.?) (?:one|an?|another|the)\b"
         r"|\b(?:one|an offer) from (?:a|an|another)\b(?! recruiter)", 3),
    ),
    "family_matter": (
        (r"家里有事|家里出了|家庭原因|家事|家中有事|家里老人|老人身体|家里(?:有点|有些)?(?:事|情况)"
         r"|家里的事|家里.{0,2}(?:急事|出事|emergency)|预产期|二胎|二宝|陪读|照顾(?!好自己)"
         r"|生了?(?:娃|孩子|宝宝|老二)|刚生", 3),
        (r"(?:孩子|宝宝|娃|老二|二胎)[^,,。;;]{0,6}(?:出生|降生|要生|快生|临产)|快(?:要)?生了|要生了|临产|待产"
         r"|孩子(?:刚)?出生|生孩子|生宝宝|宝宝出生|刚当(?:爸爸|妈妈|爹|妈)|当爸爸|当妈妈", 3),
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
        (r"\b(?:things|stuff|issues|matters|situation|something) (?:going on )?at home\b"
         r"|\b(?:wife|partner|girlfriend|she)(?: is|'s)? due\b|\bdue date\b|\bcare ?giv"
         r"|\b(?:kid|baby|son|daughter|child)\b.{0,20}\bborn\b", 3),
    ),
    "process_friction": (
        (r"流程(?:太|很|比较|非常|特别|实在|有点|过于)?(?:繁琐|慢|长|复杂|麻烦|拖|久|多|冗长"
         r"|拖沓|漫长|磨叽|低效)|冗长|拖沓|(?:面|聊)了?(?:[五六七八九十]|\d+)轮"
         r"|等了.{0,4}(?:周|天|个月|星期)才", 3),
        (r"(?:材料|表格|表|文件|资料|手续|东西|签字)[^,,。;;]{0,4}"
         r"(?:太多|很多|好多|一大堆|太杂|繁琐)|一会儿(?:要|让)?.{0,6}一会儿", 3),
        (r"反复|来回(?:沟通|确认|折腾|改|修改|拉扯|跑)|材料(?:太多|太杂|很多)|一堆.{0,6}材料|再确认"
         r"|重新(?:填|交|提交|走)|补交(?!通)", 3),
        (r"(?:确认|提交|填|交|补|上传|签|改)了?(?:[两三四五六七八九十几]|\d+)(?:次|遍)|环节太多"
         r"|太多环节"
         r"|审批(?:太|很)?(?:多|慢|久)|每一步都要等|等不起|等不及|太慢|很慢|好慢", 3),
        (r"审批|卡住|卡在", 1), (r"体验(?:很|太|特别|非常)?(?:差|糟|不好)", 2),
        (r"\bexhausting\b|\bdraining\b|\btiring\b|\bspent \w+ (?:weeks|months) interviewing", 2),
        (r"拖了|太麻烦|很麻烦|很烦|嫌麻烦|繁琐|等太久|迟迟|太折腾|催了.{0,6}[次遍]|不想再弄", 3),
        (r"背调|几轮|轮面试", 1),
        (r"\bprocess\b.{0,30}\b(?:too|long|slow|endless|tedious|cumbersome|complicated|painful"
         r"|lengthy|drawn[-\s]out|bureaucratic|nightmare|took|dragged|drags|sped up|speed up)", 3),
        (r"\bendless\b|\bdragged\b|\brepeated(?:ly)?\b|\bagain and again\b|\bover and over\b", 3),
        (r"\bpaperwork\b|\bbureaucra|\bred tape\b|\btoo slow\b|\btook (?:forever|ages|too long)"
         r"|\b(?:the same|same) (?:documents?|forms?|paperwork|information|details)\b"
         r"|\b(?:re-?(?:sign|submit|upload|do|enter|type|fill|send|apply|write|sent|entered|typed"
         r"|submitted|uploaded|signed)|fill (?:in|out))\b.{0,40}\b(?:twice|again"
         r"|(?:three|four|five|several|multiple|\d+) times)"
         r"|\bwaiting\b.{0,30}\b(?:background check|approval)", 3),
        (r"\b(?:too many|\d+|four|five|six|seven) rounds\b", 3),
        # hoops, back-and-forth, asked again and again, approvals that took weeks
        (r"\btoo many (?:hoops|steps|stages|hurdles|interviews|forms|approvals|people|rounds)\b"
         r"|\b(?:jump(?:ing|ed)? )?through (?:\w+ )?hoops\b|\bback[-\s]and[-\s]forth\b"
         r"|\bto[-\s]and[-\s]fro\b|\bre-?confirm|\bkept (?:asking|chasing|requesting|making)\b"
         r"|\b(?:approvals?|sign-?offs?|paperwork|onboarding|hiring|offer letter|offer)\b"
         r"[^.;]{0,30}\btook\b(?:\s+\S+){0,2}\s+(?:days|weeks|months|forever|ages)\b"
         r"|\bslow (?:approvals?|sign-?off|process|hiring|response)", 3),
        (r"\brounds of interviews\b|\breference checks?\b|\bbackground check|\btake-home\b", 1),
    ),
    "felt_undervalued": (
        (r"模板|群发|没有.{0,6}(?:联系人|对接人|负责人)|不被重视|不受重视|不重视|没被重视", 3),
        (r"系统通知|自动(?:发送|回复|生成)|连个电话都没|冷冰冰|敷衍|不尊重|被忽视|被晾", 3),
        (r"没诚意|没有诚意|不够重视|冷淡|冷漠|不被尊重|没被尊重|被遗忘|被忽略|被冷落|被晾|备胎"
         r"|不上心"
         r"|态度(?:很|太|比较)?(?:差|不好|一般|傲慢)", 3),
        (r"套话|官话|客套话|走过场|走形式|凑(?:hc|人头|数)|千篇一律|复制粘贴|流水线|不走心"
         r"|不用心|没人(?:真正)?(?:了解|关心|在意)"
         r"|名字(?:都)?(?:写错|搞错|错了)|被当成|不够尊重|像个数字", 3),
        (r"没(?:有)?人(?:跟进|对接|联系|理)", 1),
        (r"\btemplated?\b|\bmass[-\s]?mail|\bform letter\b|\bgeneric\b|\bboilerplate\b", 3),
        (r"\bno (?:named |clear |single |dedicated |real |specific )?(?:contact|point of contact"
         r"|person to talk to)", 3),
        (r"\b(?:didn'?t|don'?t|did not|doesn'?t|does not) (?:really )?care\b|\bnot valued\b", 3),
        (r"\bundervalued\b|\bweren'?t serious\b|\bnot serious\b|\bimpersonal\b|\bautomated\b", 3),
        (r"\bfelt ignored\b|\blike a number\b|\bno personal touch\b|\bdisrespect", 3),
        (r"\bno-?reply\b|\bnoreply\b|\bnever introduced\b|\bdidn'?t (?:even )?introduce", 3),
        (r"\b(?:didn'?t|did not|don'?t|doesn'?t|does not|wasn'?t|weren'?t"
         r"|not) (?:being )?tak(?:e|en|ing)"
         r" (?:him|her|them|it|this|the \w+) seriously\b|\bwrong name\b|\bmisspel"
         r"|\bcopy[-\s]?(?:and[-\s])?paste|\bcookie[-\s]cutter\b|\bbox[-\s]ticking\b"
         r"|\bjust (?:a|another) (?:number|headcount|resume|cv)\b|\bgot (?:his|her|their)"
         r" name wrong\b", 3),
        (r"\bforgotten\b|\bafterthought\b|\bjust another\b|\bdismissive\b|\bbrushed off\b"
         r"|\bfell through the cracks\b|\bunappreciated\b|\brude\b"
         r"|\bcold (?:email|reception|response|tone)\b"
         r"|\bno (?:call|phone call|personal call|one to talk to) from\b|\bjust a pdf\b"
         r"|\bnever showed up\b|\bno[-\s]show\b", 3), (r"\bspam\b|不在乎(?:他|她)", 2),
        (r"\b(?:she|he|they|him|her|them)(?: was| were|'s| is| are)?(?:n'?t| not)"
         r" (?:a |their |our )?priority\b|\blow priority\b"
         r"|\bsent (?:a|an) (?:delegate|deputy|substitute|stand-in)\b"
         r"|\bskipped the (?:offer |closing )?(?:call|meeting)\b"
         r"|编号|工具人|螺丝钉|叫(?:不|得)出.{0,3}名字|不记得.{0,3}名字|(?:不|没)当回事"
         r"|(?:不|没)把.{0,4}当回事|(?:没|不)露面|每次.{0,6}都是不同的", 3),
        (r"\b(?:nobody|no one)\s+(?:ever\s+)?(?:followed up|reached out|called|phoned|contacted"
         r"|got back)|\bnever heard back\b|\bghosted\b", 1),
    ),
    "culture_question": (  # descriptions that voice a worry on their own
        # coldness or friction *among* the team is its atmosphere, not how she was treated
        (r"(?:之间|彼此|互相|相互)[^,,。;;]{0,6}(?:冷淡|冷漠|冷冰冰|不和|不交流|没(?:什么)?交流|勾心斗角"
         r"|不说话)|\b(?:cold|distant|tense|hostile|curt|rude) (?:with|towards?) each other\b"
         r"|\b(?:didn'?t|don'?t|barely|never) (?:talk|speak)(?:ing)? to each other\b", 3),
        (r"氛围(?:比较|很|太|有点|有些)?(?:压抑|差|不好|紧张)|加班(?:很|太|比较)?(?:严重|凶|狠)"
         r"|很卷|太卷"
         r"|\bcrunch culture\b|\btoxic\b|\bburn(?:s|ing)? people out\b", 2),
    ),
    "relocation": (
        (r"搬家(?!补贴|费)|搬去|搬到|搬回|异地|两地|分居|通勤|太远|离家远|远了|换城市|外地"
         r"|另一个城市|定居"
         r"|单程", 3),
        (r"(?:来回|往返).{0,6}(?:小时|分钟)|公里|(?:想|打算|准备|要)回.{1,4}(?:发展|工作|定居)"
         r"|外派", 3),
        (r"不想(?:再)?(?:换|去|搬).{0,4}(?:城市|外地|地方)|距离|郊区|太偏|偏远", 3),
        # 回老家 hints at a move, not a visit: 每个月回老家, 回老家看父母, 回老家过年.
        (r"(?<!每月)(?<!每个月)(?<!每周)(?<!每年)(?<!经常)(?<!常)(?<!都)(?<!偶尔)"
         r"回老家(?!看|探|过年|过节|玩|休|一趟|一次|几天|待几天)", 1),
        (r"(?:跟|随)(?:着)?(?:他|她)?(?:一起)?过去|工作调(?:到|去)|调去|派驻", 3),
        (r"(?:开车|坐车|地铁|公交|路上)[^,,。;;]{0,4}要|离.{0,6}远", 2),
        (r"嫌远|有点远|比较远|挺远|很远|路远", 3),
        (r"(?:开|设|建)(?:个|一个)?(?:新)?(?:办公室|分公司|办事处|office)|\b(?:new|local"
         r"|satellite) office\b"
         r"|\boffice (?:in|near|closer)\b", 2),
        (r"办公地点|工作地点|\blocation\b|\bbase\s*(?:在|地)", 1),
        # A move the candidate can't or won't make is still the reason.
        (r"\b(?:can'?t|cannot|won'?t|unable to|unwilling to|not willing to|reluctant to"
         r"|(?:doesn'?t|don'?t) want to|not ready to)\s+(?:\w+\s+)?"
         r"(?:relocate|move (?:cities|city|house|home|there|abroad|overseas|to\b"
         r"|(?:his|her|their) family))\b|\bmov(?:e|ing) from \w+ to\b"
         r"|\bhave to move\b|(?:不想|不愿|不愿意|没法|不能|不方便)(?:再)?搬", 3),
        (r"(?:跟|随)(?:着)?(?:老公|老婆|丈夫|妻子|爱人|家人|男朋友|女朋友|对象|父母|家里)(?:一起)?"
         r"(?:去|回|搬|到|走)|随迁|去不了了|过不去了"
         r"|\bfollow(?:ing|s)? (?:his|her|their) (?:wife|husband|partner|spouse|family) to\b", 3),
        (r"\bfar away\b|\blong drive\b|\bsuburb|\bhours? (?:each way|drive)\b", 3),
        (r"\brelocat(?!ion (?:stipend|package|allowance|assistance|bonus|support|budget"
         r"|reimbursement))"  # a relocation stipend is pay, not a move
         r"|\bmoving (?:to|back)\b|\bmove (?:to|back|cities|city)\b|\bcommut", 3),
        (r"\btoo far\b|\blong way\b|\b(?:another|different|other) city\b|\beach way\b", 3),
        (r"\bfar from\b|\bout of town\b|\bcross-country\b|\bmoving (?:there|away|abroad|overseas"
         r"|out)\b|\b(?:posted|transferred) to\b"
         r"|\b(?:drive|train|flight) (?:each|every) (?:way|day)\b", 3),
    ),
}

# Illness / injury; health for the candidate, family_matter for a relative.
ILLNESS = (
    r"手术|生病|病了|患病|住院|出院|休养|病假|养病|化疗|放疗|透析|复查|理疗|吃药|调理|阳了"
    r"|身体(?:都|也|一直|最近|有点|有些)?(?:不太好|不大好|不好|不适|出了?(?:点)?(?:问题|状况)|欠佳"
    r"|抱恙|原因|欠安|差)|身体[^,,。;;]{0,6}出(?:了|过)?[^,,。;;]{0,4}(?:问题|状况|毛病)|受伤|骨折|康复|治疗|看病|开刀|癌|抑郁|中风|病情|医院|摔伤|车祸|意外受伤"
    r"|腰伤|伤病|复发|拆线|肺炎|发烧|胃出血|阑尾|(?:医生|大夫)(?:说|让|建议|要求|叮嘱|嘱咐|交代)"
    r"|卧床|静养|微创|恢复期|术后|病休|住了院"
    r"|椎间盘|颈椎|身体不舒服|挂号|检查出|病危|病重|抢救|重症|\bicu\b|急诊"
    r"|\bsurger(?:y|ies)\b|\boperation\b|\bsick\b|\billness\b|\bill\b|\bhospital|\brecover"
    r"|\bmedical (?:leave|reasons?|issues?)\b|\binjur|\bstroke\b|\bcancer\b|\btreatment\b"
    r"|\bhealth (?:issues?|problems?|reasons?|scare|condition)\b|\bburn(?:ed|t)?[-\s]?out\b"
    r"|\bchemo|\bdiagnos|\bheart attack\b|\bbr(?:oke|oken) (?:his|her|their|a|an) \w+"
    r"|\bfracture|\baccident\b|\brehab\b|\bbiopsy\b|\b(?:had|after) a fall\b|\bcovid\b"
    r"|\bunwell\b|\bbed rest\b|\bunder the weather\b|\bpoor health\b|\bhospitali[sz]ed\b"
    r"|\b(?:isn'?t|is not|hasn'?t been|not been|not feeling) well"
    r"(?=\s*(?:[.,;!?)]|$|lately|recently|right now|at the moment|these days|again|since))"
    r"|\bmental health\b|\bdoctor\b|\bmedication\b|\bsigned off\b|\bdiabetes\b"
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
# "On-call pay" and "overtime pay" are about pay, not about the culture.
_NOT_PAY = r"(?!\s*(?:pay|allowance|bonus|compensation|rate|premium|stipend))"
QUESTION_TOPICS: dict[str, str] = {
    "compensation_question": (
        r"薪资|薪酬|工资|奖金|年终|期权|股票|绩效|涨薪|底薪|提成|待遇|调薪|总包|年薪|月薪"
        r"|\bpay\b|\bsalary|\bbonus|\bequity\b|\bstock|\brsus?\b|\bcommission|\bcompensation"
        r"|\bpackage\b|\bvesting\b|\bvest\b|\bbase\b(?!\s*(?:在|地))|\bpayout|\boptions\b|税前"
        r"|税后|[十\d]+薪"
        r"|\bcomp\b|\bclaw[-\s]?backs?\b|\bclawed back\b|\bvariable\b|加班费|值班费|补偿金"
        r"|\bsign[-\s]?on\b|\bpay bands?\b|\braises?\b|\bcliff\b|\bpaid out\b"
        r"|签字费|签约(?:费|奖)|安家费|入职奖|试用期(?:工资|薪资|打折|打.折)|[二三四五六七八九\d]折(?!腾)"
        r"|\bprobation(?:ary)? (?:pay|salary)\b"
    ),
    "career_path_question": (
        r"发展路径|发展(?:路线|通道|规划)|(?:成长|职业|晋升)(?:路径|路线|通道)|晋升|发展空间|发展方向|岗位职责|职责|工作内容|职级|定级|汇报|偏管理|偏技术"
        r"|做执行|成长空间|上升空间|职业发展|\bgrowth\b|\bcareer path|\bpromotion|\bscope\b"
        r"|\bresponsibilit|\bleveling\b|\blevel\b|\btitle\b|\badvancement|\breport(?:s|ing)? to\b"
        r"|\bwhere (?:it|the role|this) leads\b|\bprogression\b|\bladder\b|\bpeople management\b"
        r"|\bpurely technical\b|\bhands-on\b|\bindividual contributor\b|\btrack\b"
        r"|(?<![a-z0-9])[ptml]\d{1,2}(?![0-9])|职位级别|级别|\bband\b|\bgrade\b"
        r"|做什么|具体做|干什么|日常工作|转岗|转到|写代码|带人|技术专家|专家路线|管理路线"
        r"|往.{1,6}(?:走|发展)|方向|定位|\bjd\b|\bday[-\s]to[-\s]day\b"
        r"|\bwhat (?:he|she|they)(?:'d| would)? (?:be )?(?:doing|working on)\b|\bstep down\b"
        r"|\bmaps? to\b|\bproject (?:he|she|they)(?:'d| would)\b"
        r"|\bpath (?:to|towards|into|for)\b|\bdead[-\s]end\b|\bceiling\b|天花板|没前途"
        r"|看不到(?:前景|未来|头)"
    ),
    "culture_question": (
        r"团队文化|文化|氛围|加班(?!费|工资|补贴)|996|管理风格|领导风格|管理方式|工作强度|内卷"
        r"|大小周|老板|领导|上级"
        r"|强势|压抑|派系|办公室政治|值班|半夜|周末|下班|人员流动|流动(?:大|很大|性)|离职率|骂人"
        rf"|\bweekends?\b|\bon-?call\b{_NOT_PAY}|\bturnover\b|\byells?\b|\bpressure\b"
        rf"|\bculture\b|\bovertime\b{_NOT_PAY}|\blong hours\b|\bwork[-\s]life\b|\bmicromanag"
        r"|\bmanagement style\b|\bmanager\b|\bboss\b|\btoxic\b|\bcrunch\b|\batmosphere\b"
        r"|\bteam dynamics?\b|\bwork environment\b"
        r"|资历|论资排辈|话语权|层级|等级森严|官僚|管(?:得|理)(?:太|很|过于|比较|特别)?(?:细|严|死)"
        r"|事无巨细|盯(?:得)?(?:太|很)?紧|日报|周报|\bhierarch|\bseniority\b|\bpolitics\b"
    ),
    "benefits_question": (
        r"福利|社保|公积金|年假|假期|病假|育儿假|产假|陪产假|保险|医疗|远程(?:办公)?政策|补贴"
        r"|补充医疗|体检|餐补|房补|带薪|五险一金|休假|远程办公|居家办公|政策|制度|出差|差旅|报销"
        r"|婚假"
        r"|商业保险|签证|远程|\bvisa\b|\bhealth (?:plan|cover|coverage)\b|\bmatch\b"
        r"|\bbenefits?\b|\bleave\b|\binsurance\b|\bvacation|\bpto\b|\bparental\b|\bholidays?\b"
        r"|\bremote(?:[-\s]work)? policy\b|\bdental\b|\bpension\b|\b401k\b|\bperks?\b"
        r"|\btime off\b|\bsick days\b|\bdependents\b|\bsocial insurance\b|\bpolicy\b"
        r"|\btravel policy\b|\breimburse|\bremote\b|\bwork(?:ing)? from home\b|\bhybrid\b"
    ),
}

CONCERN_STRONG = (
    r"疑问|疑惑|顾虑|担心|担忧|不清楚|不太清楚|不明白|不明确|没讲清楚|没说清楚|没讲明白|不确定"
    r"|疑虑|顾忌|存疑|怀疑|没想明白|想不通"
    r"|不知道|想了解|想再了解|了解一下|问了|问过|询问|咨询|问到|打听|犹豫|搞不懂|没人解答"
    r"|不理解|困惑|不满|介意|怕|听.{0,4}说|打退堂鼓|想知道|想问|问(?:我们|一下|下|到|hr)"
    r"|抵触|排斥|反感|焦虑|有意见|纠结|拿不准|吃不准|没底|不放心|搞清楚|弄清楚|确认一下"
    r"|(?<![没不学])问(?!题)|不(?:太|大|是很|怎么)?(?:理解|明白|清楚|懂)"
    r"|没(?:太|怎么)?(?:看懂|搞懂|听懂|弄懂|想好|搞明白)|模糊|含糊|不清晰|不透明|对不上|不一致|不符"
    r"|\b(?:was|is)n'?t (?:clear|sure)\b|\bvague\b|\bfuzzy\b|\bmurky\b|\bopaque\b|\bambiguous\b"
    r"|\bquestions?\b|\bq'?s?\b|\bqns?\b|\bclarity\b|\bexplain\w*|\bdetails on\b|\basked\b"
    r"|\basks\b|\basking\b|\bwonder|\bunsure\b|\bnot sure\b"
    r"|\bisn'?t sure\b|\bunclear\b|\bworr(?:y|ied|ies)\b|\bconcern|\bdoubts?\b|\bhesita"
    r"|\buncertain|\bclarif|\bconfus|\bskeptical\b|\bwary\b|\bnervous\b|\bafraid\b|\bheard\b"
    r"|\breviews\b|\bnot clear\b|\bunhappy with\b|\bput off\b|\bturned off\b"
    r"|\bwant(?:s|ed)? to (?:know|understand|check|clarify)\b|\bcurious\b|\bquestioned\b"
    r"|\bwaiting (?:on|for) (?:\w+ )?(?:answers?|details|clarification|info|information"
    r"|specifics)\b"
    r"|\banswers? (?:about|on|to|regarding)\b"
)
QUESTION_WEAK = (
    r"是否|能不能|可不可以|怎么|如何|多少|吗|有没有|是不是|能否|几点|几天|怎样|哪些|还是"
    r"|\bwhether\b|\bhow\b|\bif\b|\?"
)
# Asking (not just worrying): a wrap-up or offer cue asked about is about *our* job.
ASKING = r"问|询问|咨询|\basked\b|\basks?\b|\bwhether\b|是不是|是否|吗|\?"
# "主要是…", "the real reason is…": the clause holds the primary reason.
FOCUS = (
    r"主要(?:是|因为|原因)|关键是|真正的?原因|其实是|根本原因|最主要"
    r"|(?<!不是)(?<!并不是)(?<!并非)(?<!不)(?:因为|由于)|原因是"
    r"|\bmain(?:ly)?\b|\bprimar(?:y|ily)\b|\breal reason\b|\bactually\b|\bthe reason is\b"
    r"|(?<!not )\b(?:because|due to|owing to)\b"
)
# Leave-policy words that name an illness cue but, when asked about, are a benefit question.
LEAVE_POLICY = (
    r"病假|陪产假|产假|育儿假|\bsick (?:leave|days?|pay)\b|\bmedical leave\b"
    r"|\b(?:maternity|paternity|parental) leave\b"
)

# Negation read in a short window *before* a decisive cue ("no counter offer").
NEG_BEFORE_CUE = (
    r"(?:(?:不是|并非|并不是)(?:因为|嫌)?.{0,2}|不因为.{0,2}|(?<![还尚就也])没有?(?:什么|拿到"
    r"|收到|接到)?"
    r"|(?:n't|\bnot|\bno|\bnever|\bwithout)\b(?:\s+\S+){0,3}\s*)$"
)
# Negation before a topic ("不是因为薪资", "not about the money").
NEG_BEFORE_TOPIC = (
    r"(?:(?:不是|并非|并不是)(?:因为)?.{0,3}"
    r"|\b(?:not because of|not about|nothing to do with|not due to|isn'?t about|wasn'?t about"
    r"|no issue with|no problem with)\b(?:\s+\S+){0,2}\s*|\b(?:not|isn'?t|wasn'?t) an?\s+)$"
)
# Negation read right *after* a cue ("通勤挺满意", "health is fine now").
NEG_AFTER = (
    r"^.{0,3}(?:没问题|不是问题|都好|挺好|还好|满意|可以接受|能接受|无所谓|无关|没关系"
    r"|不是(?:主要)?原因)"
    r"|^\s*(?:'s not|is not|isn'?t|was not|wasn'?t|not)\s+(?:the|an?|really)\s+(?:\w+\s+)?"
    r"(?:issue|problem|reason|concern|factor|thing)\b"
    r"|^\s*(?:is|was|are|were)?\s*(?:fine|ok|okay|not an issue|not a problem|isn'?t an issue"
    r"|no problem|not a concern)\b"
)

# --- words shared with follow-up extraction -----------------------------------------

CAREER_HORIZON_WORDS = compile_cues(
    r"晋升|升职|升为|带团队|做管理|转管理|管理岗|当上|成为|独当一面|职业规划|架构师|经理|主管|总监"
    r"|\bpromot|\blead (?:a|the|his|her|their) team\b|\bleads?\b|\bmanager\b|\bmanagement\b"
    r"|\bmanage people\b|\bsenior\b|\bprincipal\b|\bdirector\b|\bcareer\b|\bbecom(?:e|ing)\b"
    r"|\btech lead\b|\bhead of\b|\bgrow into\b|目标|规划"
    r"|(?<![a-z0-9])[ptml]\d{1,2}(?![0-9])|级别"
    r"|\bmanag(?:e|ing) (?:a |the |his |her |their )?(?:team|people|others)\b"
)
TRAVEL_WORDS = compile_cues(
    r"通勤|单程|往返|车程|路程|开车|坐车|地铁|公交|高铁|火车|飞机|航班|路上|公里"
    r"|\bcommut|\bdrive\b|\bdriving\b|\bby (?:train|car|plane|air|bus)\b|\bflight\b"
    r"|\beach way\b|\bone way\b|\baway\b|\bride\b|\bkm\b|\bmiles?\b"
)
QUESTION_WORDS = compile_cues(CONCERN_STRONG + "|" + QUESTION_WEAK)
BENEFIT_OR_PAY_TOPIC = compile_cues(
    QUESTION_TOPICS["benefits_question"] + "|" + QUESTION_TOPICS["compensation_question"]
)
