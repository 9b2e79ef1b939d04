"""Threats in a text: self-harm, harm to others, arson and explosives, blocking roads and group
action, threats against children -- read from how people say them, not from a fixed word list.

A threat is a harmful act (in many words: 跳楼, 从塔吊上跳下去, 喝农药, 一起死, 把厂子点了, 堵国道,
你家孩子放学小心点…) that is

- *meant*: strong acts (自杀, 同归于尽, 喝农药, 放火…) count by themselves; weak ones (打死, 汽油, 堵路,
  拼了, 一死…) only with an intent or a condition before them in the same clause (就, 要, 大不了,
  干脆, 扬言, 不然, 我/老子…);
- *not negated* in its clause (不会去跳楼, 没想过自杀, 千万别做傻事; but 劝他不要跳楼 still counts:
  somebody meant it);
- *not an idiom*: 跳楼价, 砍价, 炸鸡店, 气死我了, 累死了, 打死也不签, 拼命干活, 打击报复, 烧秸秆…

`find(text)` returns each threat with its kind, the act (`word`) and the phrase that shows it
(`phrase`: the clause up to the act), in the order of the text. Pure, no Django. Bounded work: the
text is cut at MAX_CHARS and a quick test (a character every act needs) skips most texts.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

MAX_CHARS = 20_000
#: Enough threats to decide and to show; the search stops there (a pasted page of threats).
MAX_FOUND = 20
KINDS = ("self_harm", "harm_others", "arson_explosive", "blocking_group", "child_threat")

_OBJ = r"(?:被申请人|申请人|你|你们|他|她|他们|她们|对方|全家|这个|那个|那人|狗官|老板|村干部)"
#: The one threatened, said to them or of them (not the parties' titles: 砍了申请人林地内的树).
_YOU = r"(?:你|你们|他|她|他们|她们|对方|全家|这个|那个|那人|狗官|老板|村干部)"
_PLACES = (
    r"厂|厂子|工厂|公司|房子|家|店|村委会|村部|政府|镇政府|大楼|办公室|车|工地|学校|医院|仓库|养猪场|售楼处"
)
_PLACE = f"(?:{_PLACES})"
_POISON = r"(?:百草枯|敌敌畏|农药|老鼠药|安眠药|除草剂|杀虫剂)"
_NOT_PUNCT = r"[^，。！？；,!?;]"
_END = r"(?=[，。！？；,!?;]|$)"
_WATER = r"(?:池塘|水塘|鱼塘|河|江|湖|海|水库|井|河沟|深潭)"
_HIGH = (
    r"(?:塔吊|高压塔|铁塔|楼顶|桥顶|大桥|高架桥?|立交桥|脚手架|吊车|广告牌|屋顶|天台|烟囱|水塔|龙门吊|楼上)"
)
_PERSON = r"(?:他|她|你|对方|那个人|那人|这个人|申请人|被申请人|老板|包工头|经理)"

# (kind, strong, pattern). Strong acts need no intent marker; weak ones do.
_ACTS: list[tuple[str, bool, str]] = [
    (
        "self_harm",
        True,
        "|".join(
            [
                r"自杀|自尽|自焚|轻生|寻短见|喝农药|喝敌敌畏|喝百草枯|服毒|上吊|吊死|割腕|割脉|抹脖子|一死了之|以死相逼",
                r"死给.{0,4}看|撞死在|死在(?:你|他|政府|村委会|镇政府|厂|公司|医院|学校|这|门口|工地)",
                r"卧轨|跳楼|跳河|跳江|跳桥|跳崖|跳湖|跳海|跳塘|跳水库|跳井",
                r"不想活(?![在成出得])|活不下去|不活了|活着没意思|活够了|没法活|死了算了|不如死了|命不要了",
                r"(?:一起|一块儿?|一道)(?:去)?死|同归于尽|垫背|陪葬",
                r"遗书|一了百了|永别了|下辈子再见|交代后事|最后一条(?:朋友圈|微博|消息|短信|了)?" + _END,
                r"[停抬]尸|设灵堂|(?:要|就|准备|想)跳" + _END,
                rf"从{_NOT_PUNCT}{{1,10}}?跳[下出][去来](?![了摔受伤骨])|往下跳|活得?没意思|逼死|拿命|鱼死网破|你死我活",
                rf"死在{_NOT_PUNCT}{{0,6}}(?:里|前|口|上|那|这|门|家)",
                rf"(?:准备|买|订|网购|囤|备|放好|藏|带|揣|拿|找)好?了?{_NOT_PUNCT}{{0,6}}(?:{_POISON[3:-1]}|木炭|烧炭|绳子)",
                rf"(?:吃|喝|吞|服)[了下]?{_NOT_PUNCT}{{0,5}}{_POISON}|烧炭",
                # life refused (不打算活着走出…), farewells and their notes, the water that ends a clause
                r"(?:不打算|不想|没打算|不准备)活着?(?:走出|回去|离开|出去|出来)|另一个世界|没有痛苦的地方",
                r"去陪(?:我|她|他)?(?:的|家)?(?:老伴|爸|妈|父亲|母亲|外婆|奶奶|爷爷|姥姥|老公|老婆|儿子|女儿)",
                r"(?:写|留)[^。！？；]{0,8}(?:纸条|遗言|信|字条)[^。！？；]{0,12}对不起|对不起(?:爸妈|爸爸妈妈|孩子|家人|大家)[^。！？；]{0,12}(?:关机|联系不上|走了|失联|不见了)",
                r"(?:谢谢|对不起|照顾好|再见|永别)[^。！？；]{0,12}(?:先走一步|先走了|走了)",
                rf"从{_NOT_PUNCT}{{1,12}}(?:楼|桥|顶|台|塔|吊车)上?(?:往下)?跳{_END}",
                r"从(?:我|他|她)的?身上(?:压|碾|轧|开)过去|(?:世界|人世|人间)[^，。！？；]{0,4}(?:不|没什么|没有)(?:再)?留恋|替我(?:好好)?照顾",
                r"饿死在|绝食|(?:割|抹)(?:脖子|喉咙?|颈)|把自己(?:埋了|烧了|点了|点着|吊起来)|浇透了?|(?:攒|囤|存)了?[^，。！？；]{0,6}(?:安眠药|药片|一?抽屉的?药)",
                r"(?:再也)?(?:见不到|看不到)我了|(?:抱着|带着)(?:孩子|娃)一起走|烧[上起了]炭|药都攒",
                r"最后一次看[^，。！？；]{0,4}(?:日出|日落|太阳|月亮|这个世界|你们|孩子)",
                rf"跳{_NOT_PUNCT}{{0,4}}{_WATER}里?{_END}",
                rf"就去{_NOT_PUNCT}{{0,6}}{_WATER}(?:边|里)?{_END}",
            ]
        ),
    ),
    (
        "self_harm",
        False,
        "|".join(
            [
                r"一死|死路一条|喝药|豁出去|(?<![不没别])想死|去死|寻死|没活路|没有活路",
                r"拉上(?:你|他|她|你们|他们|她们)|跳[下出][去来](?![了摔受伤骨])",
                rf"爬[上到]了?{_NOT_PUNCT}{{0,8}}{_HIGH}",
                r"(?<![做作]个)了断|解脱|先走一步|我先走了|再也不回来|永远不回来|一觉不醒|一睡不醒|长睡不醒|活着?得?(?:太|好)(?:累|难|苦|没意思)|要走了|别醒|不醒过来|从这个世界上?消失|不想再?回去了?|等死|收尸",
                rf"(?:站|坐)在{_NOT_PUNCT}{{0,6}}(?:{_HIGH}|江边|河边|桥上|水库边|湖边|海边|崖边|阳台)(?:边上?|上|外)?{_END}",
            ]
        ),
    ),
    (
        "harm_others",
        True,
        "|".join(
            [
                rf"杀了{_YOU}(?![的家])|杀人|灭门|砍死|砍了{_YOU}(?![的家])|捅死|捅了{_YOU}(?![的家])|弄死|整死|宰了|废了{_YOU}(?![的家])",
                r"一命换一命|一命抵一命|偿命|血债血偿|泼硫酸|泼汽油|泼油|动刀子|白刀子进|见血",
                r"不得好死|付出代价|拿刀|带刀|提刀|带着刀|横着出去|躺着出去|竖着进来",
                rf"(?:跟|和|同){_NOT_PUNCT}{{0,5}}拼了|拼了这条(?:老)?命",
                rf"(?:打断|敲断|砸断|踩断|掰断|卸|砍断|废|剁){_NOT_PUNCT}{{0,6}}(?:腿|胳膊|手|脚)",
                rf"把{_NOT_PUNCT}{{0,6}}(?:腿|胳膊|手|脚)(?:给)?(?:打断|敲断|砸断|踩断|掰断|卸|砍|废|剁)",
                rf"谁{_NOT_PUNCT}{{0,6}}[就便]?[打砍杀捅揍弄]谁|就{_NOT_PUNCT}{{0,4}}(?:砸|打|砍|杀|捅|揍|弄|收拾|对付)谁|就跟谁(?:拼|动手|没完)",
                r"(?:谁也|谁都|一个都|一个也|你们都|他们都|全家都|都)别想|别想(?:好过|安宁|活|上学|离开|安稳)",
                r"有来无回|往死里打|用(?:开水|热油|硫酸|汽油|油)泼|(?:头|脑袋)(?:敲开|砸开|打开花|拧下来)|"
                r"打残|弄残|整残|打瘫|打成残废|家破人亡|血溅|做掉|不得安宁|不得安生|没命花|[带抄拿]上?着?家伙",
                r"找人[^，。！？；]{0,4}(?:废了|打|揍|收拾|教训|做了|砍|捅|弄)",
                r"(?:发|晒|传)了?[^，。！？；]{0,6}(?:刀|斧头|砍刀|枪|汽油)的?(?:照片|图片|视频)",
                r"(?:道上的?人|黑社会|混社会的?)[^。！？；]{0,16}(?:小心|看着点|当心|等着|收拾|好看|教训)",
            ]
        ),
    ),
    (
        "harm_others",
        False,
        "|".join(
            [
                r"打死|揍死|报复|拼命|杀了|捅了|砍了(?=[^，。！？；]{0,6}[人他她你])|硫酸|撞(?:死|[他你她]|{_NOT_PUNCT}{{0,4}}(?:大门|政府|公司|村委会|人))|动手|算账|砸(?![价钱锅饭])",
                r"铁棍|棍子|锄头|铁锹|扁担|砍刀|菜刀|水果刀|斧头|匕首|打(?:他|你|她)(?:一次|一顿|个半死)|揍(?:他|你|她)",
                rf"(?:买|磨){_NOT_PUNCT}{{0,2}}刀(?![店石具片])",
                rf"[拿提带揣拎举]着?{_NOT_PUNCT}{{0,3}}(?:刀|斧头|斧子|枪|铁锤)(?![具片削])",
                rf"把(?:他|她|你|对方|他们|你们){_NOT_PUNCT}{{0,2}}(?:解决|做了|办了|废了|收拾)",
                rf"收拾{_OBJ}|要.{{0,2}}{_OBJ}的?命|让{_OBJ}好看|弄{_OBJ}",
                rf"把{_PERSON}[^，。！？；]{{0,4}}(?:解决|做了|办了|收拾|废了|弄死|打死)|把[^，。！？；]{{1,10}}(?:给)?掀了",
                rf"拿(?:着)?(?:锤子|铁锤|榔头|扳手|砖头)|把{_NOT_PUNCT}{{0,10}}(?:电缆|电线|水管|管子|轮胎)(?:全|都)?(?:给)?(?:剪[了断掉]|割[了断掉]|扎[了破])|"
                r"睡不了(?:一个)?安稳觉|没(?:有)?好日子过|过不好(?:年|日子)|"
                rf"把{_NOT_PUNCT}{{0,12}}(?:全|都)?(?:给)?(?:砍光|毁了|拔光|铲平|毒死|砸烂)|"
                r"投毒|下毒|走不出这个(?:镇|村|门|县|城)|出不了这个(?:镇|村|门|县|城)|看谁敢|横着出",
                rf"(?:往|在)[^，。！？；]{{0,10}}(?:井|塘|锅|饭|水|菜|缸|食堂)[^，。！？；]{{0,3}}(?:倒|撒|放|下|投)[^，。！？；]{{0,2}}(?:{_POISON[3:-1]}|毒药?)",
                rf"(?:扔|丢|推)(?:到|进|下)[^，。！？；]{{0,6}}(?:{_WATER}|粪坑|楼)",
            ]
        ),
    ),
    (
        "arson_explosive",
        True,
        "|".join(
            [
                r"放[一把]{0,2}火|纵火|点火烧|一把火|浇汽油|炸药|雷管|引爆|燃烧瓶|汽油瓶|自制炸弹|土炸弹",
                rf"炸[了掉平毁]{_OBJ}?{_PLACE}|烧[了掉死]{_OBJ}?{_PLACE}|点了{_OBJ}?{_PLACE}",
            ]
        ),
    ),
    (
        "arson_explosive",
        False,
        "|".join(
            [
                rf"汽油|柴油|煤气|液化气罐|点火|炸了|烧死|烧了{_OBJ}|[就去]点了",
                rf"把{_NOT_PUNCT}{{0,6}}(?:{_PLACES}|你|他|她){_NOT_PUNCT}{{0,3}}(?:炸|烧|点)[了掉平毁]",
                rf"把{_NOT_PUNCT}{{0,8}}(?:自己|房|厂|店|车|机|库|场|棚|楼|部|所|堂|院|家)(?:全|都)?(?:给)?(?:点了|烧了|烧光|烧掉|烧毁|炸了|炸平|点着)",
                r"[几一两]桶(?:汽)?油",
            ]
        ),
    ),
    (
        "blocking_group",
        False,
        "|".join(
            [
                rf"堵[住上]?{_NOT_PUNCT}{{0,6}}(?:路|门|国道|省道|高速|路口|政府|村委会|工地|售楼处|医院|公司|老师|那个|便道|通道)",
                rf"把{_NOT_PUNCT}{{0,10}}(?:路|道|高速|大门|厂门|校门|路口|桥)(?:给)?(?:[堵封拦挖锁焊][了住死上掉断]|挖断|拦起来|封起来|断了)",
                r"看谁(?:出得去|进得来|出得来|进得去|能进|能出)",
                rf"(?:往|在){_NOT_PUNCT}{{0,10}}(?:门口|路口|路上|大门|路中间|入口|出口)[^，。！？；]{{0,2}}一(?:横|堵|停|躺|坐|拦)",
                rf"(?:躺|坐|跪|睡)(?:在|到){_NOT_PUNCT}{{0,10}}(?:挖掘机|挖机|推土机|铲车|车轮|车子?)(?:子|的)?(?:前面?|底下|下面)",
                r"(?:到|去|在)[^，。！？；,!?;就]{0,10}(?:政府|市委|县委|镇里|村委会|村部|公司|厂|工地|项目部|收费站|高速|路口|路中间|售楼处|他家|医院|信访局|单位)门?口?[^，。！？；]{0,2}(?:坐着|躺着|跪着|住下|睡觉|搭帐篷|打地铺)",
                r"拉上[^，。！？；]{0,10}(?:老人|孩子|全家|一家|村民|工友|乡亲)|条幅|棺材|花圈|设灵",
                rf"(?:睡|躺|坐|跪)到{_NOT_PUNCT}{{0,10}}(?:门口|大门|家里|院子里|办公室)",
                rf"把{_NOT_PUNCT}{{0,10}}(?:老娘|老人|老母亲|老父亲|老爹|病人|遗体)抬到",
                r"不(?:给钱|给工钱|解决|答复|给说法|见到人|赔钱)[^，。！？；]{0,4}(?:就)?(?:不走|不离开|不回去|不下来|不起来)",
                r"拦(?:路|车)|封(?:路|国道|省道|高速|路口|桥)|上高速|挖断",
                rf"(?:去|到)(?:北京|天安门|中南海|省里|市里){_NOT_PUNCT}{{0,6}}(?:闹|堵|跪|静坐|横幅)",
                r"横幅|集体闹|静坐|围堵|围攻|闹事|闹大|闹得",
                r"(?:联系|召集|叫上|喊上|组织)[^。！？；]{0,12}(?:人|工人|村民|业主|家长|兄弟|老乡)[^。！？；]{0,8}"
                r"(?:去|到|来|堵|闹)(?!开会|培训|学习|参加|投票)",
                rf"带{_NOT_PUNCT}{{0,6}}(?:人|兄弟|亲戚|老乡)(?:去|来|到)",
                rf"(?:去|到)(?:政府|县里|市里|省里|镇里|北京){_NOT_PUNCT}{{0,4}}(?:闹|堵|静坐)",
                rf"把{_NOT_PUNCT}{{0,8}}砸[了烂碎掉]|砸{_NOT_PUNCT}{{0,6}}(?:{_PLACES}|大门)",
            ]
        ),
    ),
    (
        "child_threat",
        True,
        "|".join(
            [
                r"(?:绑|拐|抱走|弄走|收拾|对付|下手)[^，。！？；]{0,6}(?:孩子|小孩|儿子|女儿|娃)",
                r"(?:对|冲)(?:你|他|她)?家?(?:孩子|小孩|儿子|女儿)下手",
                r"把(?:老板|对方|他|她|你|申请人|被申请人)家?的(?:孩子|小孩|儿子|女儿|娃)(?:接走|带走|抱走)",
            ]
        ),
    ),
]

#: Idioms and ordinary uses that contain an act's characters (blanked before looking for acts).
_IDIOMS = re.compile(
    "|".join(
        [
            r"跳楼价|跳楼甩卖|跳楼大甩卖|跳楼大促|跳楼清仓|跳楼机|砍价|砍一刀|杀价|杀毒|杀青|秒杀|杀猪盘",
            r"炸鸡|炸串|炸酱|油炸|炸薯条|炸油条|炸裂|炸毛|炸锅|气炸|炸街|电池炸了|手机炸了",
            r"打死[^，。！？；]{0,3}也|死也不|拼了命地?(?:干|工作|挣|赚|学)|拼命(?:干|工作|挣|赚|加班|学|地|三郎|追)",
            r"打击报复|报复性|汽油费|汽油车|汽油价|汽油味|汽油发电机|加[了满]?[^，。！？；]{0,3}汽油|加油站",
            r"烧秸秆|焚烧|烧荒|烧纸|烧香|烧烤|发烧|烧伤|切菜|削水果",
            r"(?:按时|每天|天天|饭后|需要|还要|还得|在家|中药|吃药)[^，。！？；]{0,3}喝药|喝药治疗|喝药水|喝中药",
            r"横幅(?:庆祝|欢迎|宣传|广告)|(?:庆祝|欢迎|宣传)[^，。！？；]{0,8}横幅",
            r"想[^，。！？；]{1,3}想死了?|想死(?:你|他|她|我|人)|想死[^，。！？；了]{1,4}了",
            r"把[^，。！？；]{0,4}(?:秸秆|垃圾|树叶|纸钱|稻草|杂草|枯枝|落叶|饭|菜|水|开水|锅|油|废料|废品|杂物|树枝|旧衣服)"
            r"[^，。！？；]{0,2}(?:烧|炸|点)",
            r"要命的是|真要命|要了老命|不要命地干|(?:煤气罐|液化气罐)(?:漏气|没气|换|送)",
            r"煤气(?:费|表|灶|公司|管道|泄漏|中毒)|柴油(?:机|车|费|价)|撞(?:了我的车|车|伤|到|见)|被[^，。！？；]{0,4}撞(?!死)|相撞|碰撞|追尾撞|撞坏",
            r"砸(?:饭碗|锅卖铁|钱|伤|中|到|坏|破)|[塌落掉倒]{1,2}[^，。！？；]{0,2}砸|动手术|算账单|结算账|横幅广告|闹钟|热闹|闹着玩|都别想太多",
            r"[气急笑累困饿渴热冷吓馋烦乐疼忙穷辣咸酸苦臭美帅丑]死(?:我|人|了|啦|掉)?(?!在)|得要死|老死不相往来|拼死拼活|拼一把|拼一拼|拼搏|拼命把",
            r"[做作]个了断|不怕苦|不怕累|不怕死的精神|"
            r"活了(?:一辈子|大半辈子|半辈子|这么多年|\d+|[一二三四五六七八九十几]+十?多?)岁?|一点就[着炸]|一夜回到解放前",
            r"(?:法律|起诉|法院|仲裁|依法)[^。！？；]{0,12}付出[^。！？；]{0,2}代价|付出代价[^。！？；]{0,10}(?:法院|起诉|法律)",
            r"(?:横幅|条幅)[^。！？；]{0,8}(?:庆祝|欢迎|祝贺|宣传|提醒|通知|广告)|(?:庆祝|欢迎|祝贺|宣传|提醒|通知|广告)[^。！？；]{0,12}(?:横幅|条幅)",
            r"点火(?:困难|器|开关|不着|装置)|堵车|被车堵|车堵|死亡赔偿|见血封喉|闹大了?的?(?:动静|声音|笑话)|静坐(?:一会|休息)",
        ]
    )
)
#: Negation in the clause before the act.
_NEGATION = re.compile(
    r"不会|不想|没想|没有想|不至于|绝不|决不|绝对不|才不|不可能|犯不着|不值得|没必要|从没|从来没|不敢|并没有"
    r"|没打算|不打算|不准备|没有|没要|没说要|并不是要|不是要|不是想|再也不|不再|不说|不是说|(?<![劝让叫求])(?:千万)?(?:别|不要)"
)
#: An intent, a condition, a threat reported, or a preparation: what makes a weak act meant.
#: (Not a bare 我: 我爸被车撞死了 tells, it does not threaten.)
_INTENT = re.compile(
    r"就|(?<![需只重主])要(?![求紧素点闻害])|会|想|准备|打算|大不了|干脆|不如|宁可|宁愿|只能|只好|只有|只剩|非|再不|不然|否则|扬言|威胁|声称|放话"
    r"|说要|嚷着|喊着|闹着|吵着|敢|明天|迟早|一定|老子|跟你|和你|让|信不信|等着|已经|非|今天|下礼拜|下个月|月底|过两天|早晚"
    r"|拿着|提着|带着|揣着|买了|买好|备好|灌了|拎着|去|商量|到时候|今晚|下周|马上|现在"
)
#: Where a clause starts for the negation/intent look-back: punctuation, or a 就/才 (不给钱就…).
_CLAUSE_BREAK = re.compile(r"[，。！？；、,.!?;：:\n]")
_LOOKBACK = 14
_SENTENCE_BREAK = re.compile(r"[。！？；!?;\n]")
_LOOKBACK_SENTENCE = 24
#: A sentence that tells of a film, a novel, a game or the news: its acts threaten nobody.
_FICTION = re.compile(
    r"小说|电视剧|电影|网剧|(?<!遗)书里|(?<!遗)书中|游戏|手游|剧里|剧中|短剧|动漫|漫画|新闻|故事"
    # said in jest or taken back in the same sentence
    r"|开玩笑|说笑|玩笑话|随口一说|其实是说|其实是想|其实就是|收回(?:了)?(?:这句|那句|这些|刚才的|说过的)?话|并收回|撤回(?:了)?(?:这句|那句|刚才的)?话"
)
#: A weak act in a passive clause (被人投毒, 被车撞死) tells what happened to the speaker: no threat.
#: (被申请人 is the respondent, not a passive.)
_PASSIVE = re.compile(r"被(?!申请人|告|执行人|征收人|继承人|扶养人|监护人|保险人)|曾经?|此前|当时")
#: A child of the other side named with a menace in the same sentence.
_CHILD = re.compile(
    r"(?:你|你家|你们家|你的|他|他家|他的|她|她家|她的|对方|对方的|他们家|被申请人|申请人)[^，。！？；]{0,8}"
    r"(?:孩子|小孩|儿子|女儿|闺女|丫头|娃|外孙|孙子|孙女|老婆|老公|妻子|丈夫|爸妈|父母|家人|家里人)"
)
_MENACE = re.compile(
    r"自己想想|一清二楚|清清楚楚|早点回家|走哪条路|摸清楚|摸得清|摸透|想想后果|别想|(?:几点|哪里|哪儿|在哪)[^，。！？；]{0,8}(?:清楚|知道)|小心|当心|识相|掂量|好看|后果自负|出事|别怪|看着办|等着瞧|你等着|等着吧|等着看|有你好|遭殃|不安全|下手|绑|拐|跟踪|盯着|去[^，。！？；]{0,6}找[她他]|堵|知道[^，。！？；]{0,6}在哪|在哪[^，。！？；]{0,8}我[都也]?知道"
)

_COMPILED = [(kind, strong, re.compile(p)) for kind, strong, p in _ACTS]


@dataclass(frozen=True)
class Threat:
    kind: str
    word: str
    phrase: str
    start: int


def _clause_before(text: str, start: int) -> str:
    lo = max(0, start - _LOOKBACK)
    before = text[lo:start]
    cut = max((m.end() for m in _CLAUSE_BREAK.finditer(before)), default=0)
    return before[cut:]


def _sentence_before(text: str, start: int) -> str:
    """The sentence up to `start` (at most _LOOKBACK_SENTENCE characters): where an intent is looked for."""
    lo = max(0, start - _LOOKBACK_SENTENCE)
    before = text[lo:start]
    cut = max((m.end() for m in _SENTENCE_BREAK.finditer(before)), default=0)
    return before[cut:]


def _mask_idioms(text: str) -> str:
    """The text with every idiom blanked out (same length, so positions hold)."""
    return _IDIOMS.sub(lambda m: "　" * len(m.group(0)), text)


def find(text: str) -> list[Threat]:
    """The threats of `text`, in order, one per act (overlapping acts: the first, longest)."""
    text = (text or "")[:MAX_CHARS]
    if not text:
        return []
    if not text.isascii():
        from jiefen.triage.classifier import _opencc

        try:
            text = _opencc().convert(text)  # Traditional -> Simplified, character for character
        except UnicodeEncodeError:  # a lone surrogate: each becomes "?", positions hold
            text = _opencc().convert(text.encode("utf-8", "replace").decode("utf-8"))
    masked = _mask_idioms(text)
    found: list[Threat] = []
    taken: list[tuple[int, int]] = []
    candidates = []
    for kind, strong, pat in _COMPILED:
        for m in pat.finditer(masked):
            candidates.append((m.start(), -(m.end() - m.start()), kind, strong, m))
    candidates.sort(key=lambda c: (c[0], c[1]))
    for start, _neg_len, kind, strong, m in candidates:
        end = m.end()
        if any(start < e and s < end for s, e in taken):
            continue
        before = _clause_before(masked, start)
        sentence = _sentence_before(masked, start)
        # a 就/才 ends the condition: only what follows it can negate the act
        tail = re.split(r"[就才]", before)[-1]
        whole = masked[_sentence_start(masked, start) : _sentence_end(masked, end)]
        if (
            _NEGATION.search(tail)
            or _FICTION.search(whole)
            or masked[start - 1 : start] in ("不", "没", "别")
        ):
            continue
        if not strong and (not _INTENT.search(sentence) or _PASSIVE.search(tail)):
            continue
        if len(found) >= MAX_FOUND:
            break
        taken.append((start, end))
        phrase = (before + m.group(0)).strip("　 ")[-24:]
        found.append(Threat(kind=kind, word=m.group(0), phrase=phrase, start=start))
    for m in _CHILD.finditer(masked):
        if any(t.kind == "child_threat" for t in found):
            break
        end = len(masked)
        stop = _SENTENCE_BREAK.search(masked, m.end())
        end = min(stop.start() if stop else end, m.end() + _LOOKBACK_SENTENCE)
        sentence = masked[_sentence_start(masked, m.start()) : end]
        if _MENACE.search(sentence) and not _FICTION.search(sentence):
            found.append(Threat("child_threat", m.group(0), sentence.strip("　 ")[:30], m.start()))
    found.sort(key=lambda t: t.start)
    return found


def _sentence_end(text: str, at: int) -> int:
    stop = _SENTENCE_BREAK.search(text, at, at + _LOOKBACK_SENTENCE)
    return stop.start() if stop else min(len(text), at + _LOOKBACK_SENTENCE)


def _sentence_start(text: str, at: int) -> int:
    lo = max(0, at - _LOOKBACK_SENTENCE)
    return lo + max((m.end() for m in _SENTENCE_BREAK.finditer(text[lo:at])), default=0)


# --------------------------------------------------------------------------- the learnt part
#
# Rules name the acts they know; people find other words (先走了, 去陪我老伴, 做掉, 让他着火…).
# A second opinion reads each sentence with a logistic regression over character 1-3-grams,
# learnt from corpus/threats.jsonl (all but the held-out rounds) against the sentences of the
# classifier's corpus that the rules leave alone. It is asked only when the rules find nothing;
# its reason names the sentence and the n-grams that weighed most.

MODEL_FORMAT = 1
THREATS_PATH = Path(__file__).resolve().parent / "corpus" / "threats.jsonl"
MODEL_PATH = Path(__file__).resolve().parent / "model" / "threats.json.gz"
MAX_SENTENCES = 200
MAX_SENTENCE_CHARS = 120
#: The least threshold; training raises it so that at most this share of the training rounds'
#: hard negatives (out of fold) would be flagged.
MIN_THRESHOLD = 0.5
TARGET_FALSE_ALARMS = 0.03
OVERSAMPLE_THREATS = 8
OVERSAMPLE_NEGATIVES = 3
ORDINARY_SENTENCES = 3000
RANDOM_STATE = 20240611

_SPLIT = re.compile(r"[。！？；!?;\n]+")

#: What a harmful act is made of: the learnt part speaks only of a sentence that names one of these
#: (after the idioms are blanked). Its n-grams weigh intent (他说要…就…) as much as the act, and
#: an intent with a lawful act (他说要去法院起诉) threatens nobody.
_HARM_CUE = re.compile(
    r"(?:你|对方|他|她|申请人)(?:家|的)?(?:孩子|小孩|儿子|女儿|老婆|老公|家人)"
    r"|死|命|刀|枪|血|火|烧|炸|跳|药|毒|堵|砸|打(?!算|听|电话|扫|工|车|印|针|官司|招呼|开|理|包)|杀|砍|捅|残|废|尸"
    r"|遗(?!嘱|产|物|留|失|漏|憾|址|传)|了断|解脱|走了|先走|消失|醒|坟|收拾|好看"
    r"|小心|当心|掂量|等着|拼|闹|横幅|条幅|静坐|躺|跪|围|拦|封|锁|焊|汽油|煤气|楼|天台|桥|江|河|湖|海|水库|塘|井"
    r"|坐牢|进去|没完|后果|算账|总账|报复|教训|出事|安宁|安生|好过|别想|不想活|不活|活不|活着|活下去|活够|吊|绳|炭|撞|扔|推|爬|吊车|塔|阳台"
    r"|世界|痛苦|陪|全家|老小|找人|做了|做掉|解决|下不来|不回|回不|天翻地覆|完蛋|同归"
)


def _harmful(sentence: str) -> bool:
    """The sentence (idioms blanked) names a harmful act and is not fiction, jest or a retraction."""
    masked = _mask_idioms(sentence)
    return bool(_HARM_CUE.search(masked)) and not _FICTION.search(masked)


def sentences(text: str) -> list[str]:
    """The sentences the learnt part reads (bounded in number and length)."""
    out = []
    for s in _SPLIT.split(text):
        s = s.strip()
        if len(s) >= 2:
            out.append(s[:MAX_SENTENCE_CHARS])
            if len(out) >= MAX_SENTENCES:
                break
    return out


class IntentModel:
    """Character 1-3-gram tf-idf (the classifier's arithmetic) + logistic regression, as plain data."""

    def __init__(self, block, coef, intercept: float, threshold: float, meta: dict | None = None):
        import numpy as np

        self.block = block
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self.threshold = float(threshold)
        self.meta = dict(meta or {})

    def proba(self, texts: list[str]):
        import numpy as np

        if not texts:
            return np.zeros(0)
        ptr, ind, vals = self.block.rows(texts)
        scores = np.full(len(texts), self.intercept)
        if len(ind):
            contrib = self.coef[ind] * vals
            nonempty = np.diff(ptr) > 0
            scores[nonempty] += np.add.reduceat(contrib, ptr[:-1][nonempty])
        return 1.0 / (1.0 + np.exp(-scores))

    def top_terms(self, text: str, k: int = 3) -> list[str]:
        ptr, ind, vals = self.block.rows([text])
        contrib = self.coef[ind] * vals
        order = sorted(range(len(ind)), key=lambda j: -contrib[j])
        terms = [
            self.block.vocab[ind[j]] for j in order if contrib[j] > 0 and len(self.block.vocab[ind[j]]) > 1
        ]
        chosen: list[str] = []
        for t in terms:
            if not any(t in c or c in t for c in chosen):
                chosen.append(t)
            if len(chosen) >= k:
                break
        return chosen

    def to_bytes(self) -> bytes:
        from jiefen.triage.classifier import _b64, gzip_json

        doc = {
            "format": MODEL_FORMAT,
            "meta": self.meta,
            "vocab": self.block.vocab,
            "idf": _b64(self.block.idf),
            "coef": _b64(self.coef),
            "intercept": self.intercept,
            "threshold": self.threshold,
        }
        return gzip_json(doc)

    @classmethod
    def from_bytes(cls, data: bytes) -> IntentModel:
        from jiefen.triage.classifier import CharAnalyzer, TfidfBlock, _unb64

        doc = json.loads(gzip.decompress(data).decode("utf-8"))
        if doc.get("format") != MODEL_FORMAT:
            raise ValueError(f"threat model format {doc.get('format')!r}, expected {MODEL_FORMAT}")
        n = len(doc["vocab"])
        block = TfidfBlock(CharAnalyzer(), doc["vocab"], _unb64(doc["idf"], (n,)))
        return cls(block, _unb64(doc["coef"], (n,)), doc["intercept"], doc["threshold"], doc["meta"])


_model_lock = threading.Lock()
_model: IntentModel | None = None
_model_failed = False


def get_model() -> IntentModel | None:
    """The shipped learnt part, loaded once per process; None (rules only) if it cannot be read."""
    global _model, _model_failed
    if _model is None and not _model_failed:
        with _model_lock:
            if _model is None and not _model_failed:
                try:
                    _model = IntentModel.from_bytes(MODEL_PATH.read_bytes())
                except (OSError, ValueError, KeyError):
                    log.exception("cannot load the threat model %s; rules only", MODEL_PATH)
                    _model_failed = True
    return _model


def _learnt(text: str, model: IntentModel | None) -> list[Threat]:
    import numpy as np

    from jiefen.triage.classifier import EmptyText, normalise

    if model is None:
        return []
    sents = []
    for s in sentences(text):
        try:
            sents.append(normalise(s))
        except EmptyText:
            continue
    if not sents:
        return []
    p = model.proba(sents) * np.array([_harmful(s) for s in sents])
    best = int(p.argmax())
    if p[best] < model.threshold:
        return []
    s = sents[best]
    terms = model.top_terms(s)
    return [Threat(kind="other_words", word="、".join(terms) or s[:8], phrase=s[:30], start=text.find(s[:4]))]


def assess_text(text: str, *, model: IntentModel | None | bool = True) -> list[Threat]:
    """The threats of a text: the rules' (find), else the learnt part's one sentence, if any."""
    found = find(text)
    if found:
        return found
    return _learnt((text or "")[:MAX_CHARS], get_model() if model is True else (model or None))


def _ordinary_sentences() -> list[str]:
    from jiefen.triage.classifier import TRAIN_PATH, read_jsonl

    out = []
    for r in sorted(read_jsonl(TRAIN_PATH), key=lambda r: r["id"]):
        for s in sentences(r["text"]):
            if len(s) >= 4 and not find(s):
                out.append(s)
    out = sorted(set(out))
    step = max(1, len(out) // ORDINARY_SENTENCES)
    return out[::step][:ORDINARY_SENTENCES]


def read_threats(path: Path = THREATS_PATH) -> list[dict]:
    from jiefen.triage.classifier import read_jsonl

    return read_jsonl(path)


def train_model(rows: list[dict] | None = None) -> IntentModel:
    """Fit the learnt part deterministically on every round of corpus/threats.jsonl but the
    held-out ones, with the threshold from out-of-fold scores of those rounds."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    from jiefen.triage.classifier import CharAnalyzer, TfidfBlock, normalise

    rows = rows if rows is not None else read_threats()
    train = sorted((r for r in rows if not r["set"].startswith("heldout")), key=lambda r: r["id"])
    threats_ = [normalise(r["text"]) for r in train if r["label"] == "threat"]
    negatives = [normalise(r["text"]) for r in train if r["label"] == "negative"]
    ordinary = [normalise(s) for s in _ordinary_sentences()]

    def fit(t: list[str], n: list[str]) -> IntentModel:
        texts = t * OVERSAMPLE_THREATS + n * OVERSAMPLE_NEGATIVES + ordinary
        y = np.array([1] * (len(t) * OVERSAMPLE_THREATS) + [0] * (len(texts) - len(t) * OVERSAMPLE_THREATS))
        block = TfidfBlock.fit(CharAnalyzer(), texts, min_df=1, max_df=1.0)
        lr = LogisticRegression(C=4.0, max_iter=5000, random_state=RANDOM_STATE)
        lr.fit(block.transform(texts), y)
        return IntentModel(block, lr.coef_[0], float(lr.intercept_[0]), MIN_THRESHOLD)

    with threadpool_limits(limits=1):
        both = threats_ + negatives
        labels = np.array([1] * len(threats_) + [0] * len(negatives))
        oof = np.zeros(len(both))
        skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=RANDOM_STATE)
        for tr, te in skf.split(np.zeros(len(both)), labels):
            m = fit([both[i] for i in tr if labels[i]], [both[i] for i in tr if not labels[i]])
            oof[te] = m.proba([both[i] for i in te]) * np.array([_harmful(both[i]) for i in te])
        neg_scores = np.sort(oof[labels == 0])
        cut = neg_scores[int(np.ceil(len(neg_scores) * (1 - TARGET_FALSE_ALARMS))) - 1]
        threshold = float(round(max(MIN_THRESHOLD, cut + 1e-6), 6))
        model = fit(threats_, negatives)
    model.threshold = threshold
    model.meta = {
        "format": MODEL_FORMAT,
        "n_threats": len(threats_),
        "n_negatives": len(negatives),
        "n_ordinary_sentences": len(ordinary),
        "threshold": threshold,
        "oof_threats_flagged": round(float((oof[labels == 1] >= threshold).mean()), 4),
        "oof_negatives_flagged": round(float((oof[labels == 0] >= threshold).mean()), 4),
        "n_features": len(model.block.vocab),
    }
    return model


def main() -> None:
    """`python -m jiefen.triage.threats`: the share flagged red in each round of corpus/threats.jsonl,
    by the rules alone and by rules + learnt part (rounds named heldout-* were never learnt from)."""
    rows = read_threats()
    model = get_model()
    print(f"{'round':<10} {'label':<9} {'n':>4} {'rules':>7} {'+learnt':>8}")
    for name in sorted({r["set"] for r in rows}):
        for label in ("threat", "negative"):
            texts = [r["text"] for r in rows if r["set"] == name and r["label"] == label]
            rules = sum(bool(find(t)) for t in texts) / len(texts)
            both = sum(bool(assess_text(t, model=model)) for t in texts) / len(texts)
            print(f"{name:<10} {label:<9} {len(texts):>4} {rules:>7.1%} {both:>8.1%}")


if __name__ == "__main__":
    main()
