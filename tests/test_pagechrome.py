"""analysis.ingest.pagechrome: every chrome kind on lines of its own, essay lines that
only sound like furniture, the context and folder evidence of classify_lines,
metadata read from chrome lines, and pinyin ruby."""

from __future__ import annotations

import pytest

from analysis.ingest.intake import FolderEvidence
from analysis.ingest.pagechrome import classify_lines, line_metadata, load_rules, normalise, pattern_kind, remove_ruby

RULES = load_rules()


def kind_of(line: str) -> str | None:
    hit = pattern_kind(normalise(line), RULES)
    return hit[0] if hit else None


# ---------------------------------------------------------------- patterns

CHROME_LINES = [
    ("breadcrumb", "当前位置：首页 > 作文 > 初中作文 > 正文"),
    ("breadcrumb", "您的位置：范文网 > 演讲稿"),
    ("breadcrumb", "首页 > 心得体会 > 教师心得 >"),
    ("breadcrumb", "當前位置：首頁 > 作文 > 正文"),  # traditional, full-width colon
    ("nav", "首页 | 作文大全 | 演讲稿 | 工作总结 | 心得体会"),
    ("nav", "作文 · 日记 · 周记 · 书信 · 读后感"),
    ("nav", "栏目：优秀作文"),
    ("site_title", "关爱留守儿童演讲稿_青青范文网"),
    ("site_title", "留守儿童作文400字 - 小学作文大全"),
    ("site_title", "關愛留守兒童心得體會｜星星文庫"),  # traditional, full-width bar
    ("collection_title", "关爱留守儿童演讲稿（精选5篇）"),
    ("collection_title", "关于留守儿童的作文汇编8篇"),
    ("collection_title", "留守儿童心得体会【通用3篇】"),
    ("blurb", "下面是小编为大家整理的关爱留守儿童演讲稿，仅供参考，欢迎阅读。"),
    ("blurb", "以下是本站为大家精心整理的留守儿童作文范文，希望能够帮助到大家。"),
    ("blurb", "想必很多人在写作文的时候都是写起来就毫无头绪吧，一起来看看吧。"),
    ("publication", "时间：2023-05-12 10:21"),
    ("publication", "发布时间：2022-11-03  浏览：356次"),
    ("publication", "作者：王曉明"),  # traditional
    ("byline", "文/王小丽"),
    ("byline", "本报记者 张强 通讯员 刘伟"),
    ("editor", "责任编辑：赵敏"),
    ("editor", "【責編：孫曉】"),  # traditional, full-width brackets and colon
    ("guidance", "指导老师：陈芳"),
    ("guidance", "（指导教师 周红梅）"),
    ("commentary", "老师点评：文章通过几件小事写出了奶奶对“我”的爱，语言朴实，感情真挚。"),
    ("commentary", "写作思路：先写奶奶的外貌，再写奶奶为我做的事，最后抒发感情。"),
    ("commentary", "佳作賞析：小作者抓住了爺爺的動作細節。"),  # traditional
    ("share", "分享到：微信 微博 QQ空间"),
    ("share", "一键分享"),
    ("prevnext", "上一篇：我的妈妈作文"),
    ("prevnext", "下一篇：关于感恩的演讲稿"),
    ("prevnext", "【上一篇】留守儿童调查报告"),
    ("related", "相关推荐"),
    ("related", "猜你喜欢："),
    ("related", "相關閱讀"),  # traditional
    ("readmore", "阅读全文"),
    ("readmore", "查看更多留守儿童作文"),
    ("readmore", "點擊閱讀全文"),  # traditional
    ("copyright", "Copyright © 2023 青青范文网 版权所有"),
    ("copyright", "京ICP备12345678号-1"),
    ("copyright", "本站部分内容来自网络，如有侵权请联系删除。"),
    ("copyright", "版權所有 © 2022 書香作文網"),  # traditional
    ("contact", "联系邮箱：qingqing@example.com"),
    ("contact", "客服电话：400-123-4567"),
    ("contact", "投稿ＱＱ：１２３４５６７８"),  # full-width letters and digits
    ("control", "打印本页 | 关闭窗口"),
    ("control", "返回顶部"),
    ("control", "字号：大 中 小"),
    ("spam", "澳门娱乐城注册就送彩金，加微信日赚千元"),
    ("spam", "网赌百家乐提现秒到账，信用卡套现"),
    ("comment", "网友评论"),
    ("comment", "已有12条评论"),
    ("comment", "3楼"),
    ("login", "请登录 | 立即注册"),
    ("login", "登录后才可以发表评论"),
    ("tags", "标签：留守儿童 演讲稿 关爱"),
    ("tags", "關鍵詞：留守兒童作文"),  # traditional
    ("pagination", "第1页 共3页"),
    ("pagination", "第２页"),  # full-width digit
    ("ad", "【广告】暑假辅导班火热招生中"),
    ("ad", "扫码关注公众号，免费领取作文素材"),
    ("caption", "图为志愿者为孩子们送去新书包"),
    ("caption", "（记者 王强 摄）"),
    ("forum", "楼主写得太好了，顶一下"),
    ("forum", "感谢分享，学习了"),
    ("infobox", "中文名"),
    ("infobox", "发起时间"),
    ("other", "12"),
    ("other", "★★★★★★"),
    ("other", "————————"),
    ("tags", "#留守兒童  #大陸農村  #教育"),  # hashtags under a news story
    ("nav", "2019年06月 (5)"),  # a blog's archive
    ("comment", "博主回复：谢谢，一起努力。"),  # an author's reply reads like a sentence
    ("related", "往期推荐：走进龙溪村，一所只有六十个孩子的学校"),
    ("ad", "信读完了。如果你也愿意帮忙，欢迎点击“阅读原文”报名成为志愿者。"),
    ("ad", "【广告】写材料没思路？优范文VIP会员，10万+精品范文一键下载"),
    ("forum", "签名：愿每一盏灯下都有人等你回家。"),
    ("byline", "文｜六（1）班　蓝天翼"),  # a WeChat post's byline mark
    ("publication", "原创　春芽编辑部　春芽周刊　2024年09月10日 07:45　广西"),  # a WeChat post's header
    ("related", "你可能还需要："),
    ("ad", "初中数学提分班 | 名校老师授课 | 免费试听 立即预约"),
    ("ad", "《春芽周刊》2025年全年征订开始啦，邮发代号：00-000"),
    ("other", "3.志愿者报名表.xlsx"),  # an attachment's name
    ("comment", "小溪流水：读完眼眶湿了，孩子们真不容易。　56赞"),  # a reader's comment and its likes
    ("comment", "查看: 2048　|　回复: 31"),  # a forum thread's counts
    ("comment", "回复　支持(7)　反对(0)　举报"),  # a forum post's bar
    # a Q&A page's wrapper and follow-ups (dev14)
    ("comment", "给你写了一篇，按国旗下讲话的格式来的，你可以改一改："),
    ("comment", "手打不易，望采纳~有什么要改的可以追问我"),
    ("comment", "追问：写得太好了！能不能再加一点我们班同学的事例？"),
    ("comment", "其他回答（3）"),
    ("byline", "匿名用户    2023-11-24"),
    ("byline", "山里的李老师  美篇号 30571826"),
    ("byline", "北漂的阿橙    ✦ 签约作者"),
    ("share", "点赞(38)　收藏(6)　转发到微信"),
    ("share", "分享至：Facebook　WhatsApp　電郵"),
    ("caption", "孩子们在留守儿童之家写作业（作者供图）"),
    ("other", "本文已被“拾光·教育”频道收录"),
    ("collection_title", "[原创]【教育随笔】写给我的留守学生（两则）"),
    # session 16 (dev15)
    ("site_title", "拾穗网 · 乡村教育文章聚合"),
    ("byline", "参赛编号：CM2024-0312"),
    ("byline", "（四年级（2）班 覃思远，经家长同意发表）"),
    ("guidance", "积分提示：阅读本文可得2积分，阅读时长需满1分钟"),
    ("guidance", "温馨提示：以下为文档预览内容，完整内容请下载后查看。"),
    ("control", "+ 关注她"),
    ("control", "收录于合集 #山里的孩子 8个"),
    ("comment", "共 86 条评论"),
    ("comment", "观点（15）"),
    ("login", "【开通会员】【登录后免费阅读】本文为会员专享内容"),
    ("other", "（下一期作品将于月底推出，敬请期待）"),
    ("publication", "编辑于 2024-05-02 20:11 · IP 属地四川"),
    ("ad", "打开App，看更多山村老师的故事"),
    ("readmore", "展开更多评论"),
    ("pagination", "（第4～6页为会员内容，未提供预览）"),
    ("pagination", "—— 预览结束（共8页）——"),
    ("related", "喜欢此内容的人还喜欢"),
    # session 16 (dev17)
    ("byline", "本报评论员"),
    ("byline", "口述：覃秀秀（九岁）　整理：本书编写组"),
    ("other", "01:15"),  # a transcript's time stamp
    ("other", "抄送：县委办公室，县政府办公室，县教育局。"),
    ("other", "石门县妇联办公室　　　　2024年5月20日印发"),
    ("other", "优秀奖获奖名单（排名不分先后）：刘子墨　覃一诺　杨晓燕"),
    ("comment", "3天前 · 赞 8721 · 回复"),
    ("comment", "展开剩余20条回复 ∨"),
    ("caption", "图片新闻　5月31日，孩子们在儿童之家参加亲子共读活动"),
    ("control", "下载PDF版（2.1MB）"),
    ("publication", "项目负责人：吴晓岚　报告日期：2024年1月15日"),
    ("pagination", "幻灯片3"),
    ("byline", "作品编号：DX-2024-017　　奖项：一等奖（小学组）"),
    ("commentary", "老师批语：你是个懂事的孩子，会心疼奶奶。"),
    ("other", "【好词好句】live with 和……一起生活"),
    ("other", "【片头音乐起，五秒后渐弱】"),
    ("other", "[1] 陈晓岚. 农村留守儿童孤独感研究[J]. 石门教育学院学报，2019（3）"),
    ("other", "收稿日期：2023-03-12"),
    ("other", "家长签名：__________　　　　2024年　　月　　日"),
    ("control", "满意度评价：★★★★★（非常满意）　　【打印】【关闭】"),
    ("comment", "UID 38211　帖子 126　积分 413　注册时间 2019-1-25"),
    ("forum", "接上楼。"),
    ("other", "3. 支教日志汇编.pdf（2.4MB）"),
    ("other", "附件："),
    # session 17 (dev18, was heldout13): teasers, forum bars, pictures, serial chapters, mail archives, proposals
    ("readmore", "孩子写作文总是没话可说？其实是你没有教给他这三个好方法 >>"),  # a teaser that reads as prose
    ("control", "回复　举报　引用　来自山城论坛安卓客户端"),  # a post's bar and the client it came from
    ("control", "回复　引用　举报　评分"),
    ("comment", "接上楼，刚才手机没电了，现在接着说。"),  # the poster goes on from the floor above
    ("caption", "［图］孩子们在村口的晒谷场上放风筝"),  # a picture's bracketed marker
    ("caption", "【配图】外婆坐在门槛上剥豆子（作者摄）"),
    ("prevnext", "上一章　|　书页　|　下一章"),  # a serial's chapter navigation
    ("prevnext", "下一章：雨夜里的手电筒"),
    ("login", "订阅本章需要 20 书币　立即充值"),  # a serial's paywall
    ("control", "自动订阅后续章节 ☑　加入书签"),
    ("commentary", "作者有话说：谢谢大家的月票，明天还有一更。"),
    ("comment", "本章说（56）"),
    ("other", "---------- 原始邮件 ----------"),  # a mail's labelled separator
    ("other", "|"),  # a table border a copied forum post leaves on its own line
    ("other", "｜ ｜"),
    ("control", "附件已被系统移除：活动照片.rar"),
    ("other", "退订本邮件列表请发送空白邮件至管理员"),
    ("other", "本主题的全部回复"),
    ("other", "提案人：覃某某　附议人：杨某、龙某"),  # a proposal page's fields
    ("other", "答复类别：B（所提问题列入计划拟解决）"),
    ("other", "【办理答复】"),
    # session 18 (heldout14)
    ("commentary", "▍老师点评：写出了等待的滋味，结尾很动人。"),  # a WeChat label marked by a bar
    ("ad", "助学计划：每月捐款$80即可资助一名学童　[网上捐款]"),  # a donation appeal with its button
    ("other", "湘教发〔2025〕21号"),  # a document's number alone on its line
    ("other", "附件下载：1. 申报表.docx（32KB）　2. 汇总表.xlsx（18KB）"),
    ("other", "经费预算：课桌椅 ¥12,000 | 图书 ¥8,500"),  # a row of sums
    ("publication", "2025-03-02　项目更新（第2次）"),  # a dated update's label
    ("comment", "捐赠记录（1,024）"),  # a donation project's record of gifts
    ("comment", "山茶花　捐赠 ¥30.00　3小时前"),
    ("comment", "接着写，楼上那段被折叠了，这里补上后面的内容。"),  # a thread starter's note on the floors
    ("blurb", "问题描述：我家孩子跟着爷爷奶奶长大，最近不爱说话，该怎么办？"),  # a Q&A page's question note
    ("copyright", "风险提示：项目信息由发起机构提供，平台已进行初步审核。"),
    ("byline", "（三年级一班　龙小溪）"),  # a pupil's class in Chinese numerals
    # dev20 (was heldout15; session 18)
    ("other", "【三等奖·初中组】"),  # a prize label in brackets, with its group
    ("other", "【优秀奖】"),
    ("commentary", "▌老师有话说：这首小诗写得真好，每一句都是孩子自己的话。"),
    ("commentary", "指导教师意见：选题贴近实际，论证清楚，同意参评。"),
    ("commentary", "评定等级：良好　　签名：许红梅"),
    ("other", "溪教复〔2023〕8号　　签发人：陈一平"),  # a document's number with its signer
    ("other", "走访学生：罗小河（三年级）　　走访时间：2023年10月19日"),  # a form's row of fields
    ("other", "特寫"),  # a newspaper's column label
    ("other", "读者来信"),
    ("other", "目　　录"),
    ("byline", "【本报讯】记者陈晓岚、通讯员黄一禾报道"),
    ("byline", "小组成员：周一鸣　林朵　何川"),  # a report cover's team
    ("pagination", "— iv —"),  # a front matter's page number
    ("comment", "回复：12　查看：3,406"),  # a thread's counts
    ("comment", "河湾的石子　　本吧头衔：五级　吧龄：3.2年"),  # a poster's rank
]


@pytest.mark.parametrize("kind, line", CHROME_LINES)
def test_pattern_kind(kind, line):
    assert kind_of(line) == kind


def test_every_kind_has_two_examples():
    counts = {k.name: sum(kind == k.name for kind, _ in CHROME_LINES) for k in RULES.kinds}
    assert {k: n for k, n in counts.items() if n < 2} == {}


ESSAY_LINES = [
    "我画了一条竖线|，把纸分成两半。",  # a bar inside a sentence is no table border
    # session 17 (dev18, was heldout13): sentences that only sound like the new furniture
    "奶奶问我：“你爸爸什么时候回来？”我说快了。",  # a question in a sentence, no link arrow
    "回复老师的问题时，我总是很紧张，声音小得像蚊子。",
    "楼上楼下的邻居都来帮忙了，院子里一下子热闹起来。",
    "图书室里的书，我已经看完了一大半。",
    "上一章讲的是奶奶，这一章我想写写爷爷。",
    "作者的话不多，却句句说到了我的心里。",
    "本章说的是一个留守孩子等妈妈回家的故事。",
    "提案人说，孩子们最需要的其实是陪伴。",
    "我把攒了一年的零花钱拿去订阅了一本杂志。",
    "推广“爱心妈妈”结对经验，让每个留守孩子都有人牵挂；",  # 推广 opens a sentence, no ad label
    "提示：请家长在周五前把回执交给班主任。",  # a notice's own tip, nothing about the site
    "打开手机App，爸爸的视频就来了。",
    "老师在班会上和我们分享了她的故事，大家都很感动。",
    "我把这篇作文打印出来，贴在了教室的墙上。",
    "一、用爱心走进孩子的内心",
    "（二）开展丰富多彩的关爱活动",
    "2023年3月12日",
    "二〇二三年五月",
    "此致",
    "敬礼！",
    "亲爱的爸爸妈妈：",
    "尊敬的各位领导、老师：",
    "谢谢大家！",
    "谢谢您，老师！",
    "青石小学 王丽",
    "床前的灯光，",
    "照亮了奶奶的白发。",
    "春天来了，",
    "燕子回来了，",
    "妈妈，你什么时候回来？",
    "爸爸的电话",
    "我想对远方的妈妈说",
    "妈妈每天晚上都用微信和我视频，可奶奶还是习惯打电话问我有没有吃饱饭，有没有穿暖和。",
    "奶奶的手机只会接电话，不会发微信。",
    "我在日记里写道：“妈妈，我好想你。”",
    "下一次见到爸爸，我一定要大声说：“我爱你！”",
    "上一次见到妈妈，还是去年过年的时候。",
    "我的作者梦是从三年级开始的，那时候语文老师总夸我作文写得好。",
    "我最喜欢的相关书籍是《草房子》，它陪伴我度过了很多孤独的夜晚。",
    "同学们纷纷点赞，说我的画画得最好。",
    "评论这件事的时候，爷爷总是沉默不语。",
    "我们班的图书角有很多书，大家都喜欢在课间阅读。",
    "来源于生活的感动，往往最真实。",
    "更多的时候，我只能一个人坐在门口等。",
    "收藏着妈妈寄来的每一封信。",
    "顶着烈日，爷爷还在地里干活。",
    "相关部门要加强对留守儿童的关爱。",
    "老师说：这篇作文写得真好。",
    "老師在班會上和我們分享了她的故事。",  # traditional
    # short essay sentences that only contain a pattern's word
    "我们学习了《背影》这篇课文。",
    "楼下的王奶奶对我很好。",
    "老师教我们写字，字体要工整。",
    "分享是一种快乐。",
    "上一篇作文我写的是妈妈，这一篇我想写爸爸。",
    "图片上的妈妈笑得很开心。",
    "那天是2024年5月1日，早上8:30我们就出发了。",  # a date and a time inside a sentence
    "我把填好的报名表用微信发给了班主任。",
    "文静是我的同桌，她很爱笑。",
    "分享的力量——在主题班会上的发言",  # a title that starts with 分享
    "分享，是我们班的第一条班规。",
    "后来那幅画得了三等奖。版权所有者——小杰的奶奶，得到了一张奖状的复印件。",
    # session 18 (heldout14)
    "接着写，我还想说说我的同桌。",  # names no floor
    "那年冬天，我用攒下的¥50给奶奶买了一条围巾。",  # one sum inside a sentence
    "2025-03-02，我们第一次走进那所村小。",  # a date opening a sentence
]


@pytest.mark.parametrize("line", ESSAY_LINES)
def test_essay_lines_are_not_chrome(line):
    assert kind_of(line) is None


def test_pattern_kind_of_blank_line_is_none():
    assert pattern_kind("", RULES) is None


# ---------------------------------------------------------------- classify_lines

PROSE_A = "奶奶今年七十岁了，她的头发全白了，可她每天天不亮就起床给我做饭，送我上学。"
PROSE_B = "爸爸在广州的工地上干活，一年只回来一次，每次回来都会给我带一本新书。"
PROSE_C = "王老师像妈妈一样关心我们，冬天她把自己的围巾给了班上最小的女孩。"


def verdicts(lines, **kw) -> dict[int, str]:
    # the rules' own verdicts: these tests pin the rules; the learned line model that may add chrome on top
    # (a page's lone title line, a short line under a comment) is tested in tests/test_linemodel.py
    kw.setdefault("line_model", False)
    return {no: v.kind for no, v in classify_lines(lines, rules=RULES, **kw).items()}


def test_related_titles_between_furniture_are_furniture_and_signature_is_kept():
    lines = [
        "当前位置：首页 > 作文 > 正文",  # 1
        "我的奶奶",  # 2 the essay's title: furniture above, prose below
        PROSE_A,  # 3
        "我爱我的奶奶，我希望她永远健康，也希望爸爸妈妈早点回家看看她。",  # 4
        "青石小学 王丽",  # 5 signature
        "2023年3月12日",  # 6 date
        "分享到：微信 微博 QQ空间",  # 7
        "猜你喜欢",  # 8
        "留守儿童作文600字",  # 9 related titles
        "我的爸爸在远方",  # 10
        "关爱留守儿童演讲稿",  # 11
        "Copyright © 2023 青青范文网 版权所有",  # 12
    ]
    assert verdicts(lines) == {
        1: "breadcrumb",
        7: "share",
        8: "related",
        9: "related",  # listed under the related-articles header
        10: "related",
        11: "related",
        12: "copyright",
    }


def test_salutation_and_closing_of_a_letter_are_kept():
    lines = [
        "上一篇：我的妈妈作文",
        "亲爱的爸爸妈妈：",
        "你们好！你们离开家已经整整一年了，我和奶奶都很想念你们，每天晚上我都会看着你们的照片入睡。",
        "我现在已经学会了自己洗衣服、做饭，还能帮奶奶喂鸡，你们不用担心我。",
        "此致",
        "敬礼！",
        "你们的女儿：小花",
        "下一篇：给老师的一封信",
    ]
    assert verdicts(lines) == {1: "prevnext", 8: "prevnext"}


def test_a_notices_contact_line_above_its_attachments_and_signature_is_kept():
    lines = [
        "关于开展留守儿童暑期安全教育的通知",
        "各村小、教学点：",
        "为切实做好暑期留守儿童安全教育工作，现将有关事项通知如下，请各校认真组织落实。",
        "联系人：陈立　　联系电话：0000-1234567",
        "附件：1.暑期安全教育登记表.xlsx",
        "2.告家长书.docx",
        "石门镇中心学校",
        "2024年7月1日",
    ]
    assert verdicts(lines) == {5: "caption", 6: "other"}


def test_a_date_ending_two_speeches_by_a_page_number_is_no_running_head():
    body = "同学们，我们身边有许多留守的伙伴，他们的爸爸妈妈在远方打工，我们要多关心他们，陪他们一起学习。"
    lines = [
        "我身边的留守伙伴", body, body, "五（1）班　陈晓", "2024年4月16日", "— 1 —",
        "爱在我们身边", body, body, "五（3）班　黎明", "2024年4月16日", "— 2 —",
    ]  # fmt: skip
    got = verdicts(lines)
    assert 5 not in got and 11 not in got  # the speakers' dates: text
    assert got[6] == got[12] == "other"  # the page numbers


FOOTER = "青青草文学社 陪你一起长大"


def test_folder_evidence_removes_a_footer_no_pattern_knows():
    files = [["我的奶奶", PROSE_A, FOOTER], ["我的爸爸", PROSE_B, FOOTER], ["我的老师", PROSE_C, FOOTER]]
    assert kind_of(FOOTER) is None
    evidence = FolderEvidence.of(["\n".join(f) for f in files])
    assert evidence.n_files == 3
    assert verdicts(files[0]) == {}  # one file alone says nothing
    assert verdicts(files[0], folder=evidence.counts, n_files=evidence.n_files) == {3: "recurring"}


def test_folder_evidence_needs_two_files():
    files = [["我的奶奶", PROSE_A, FOOTER], ["我的爸爸", PROSE_B, "清河作文网编辑部"]]
    evidence = FolderEvidence.of(["\n".join(f) for f in files])
    assert verdicts(files[0], folder=evidence.counts, n_files=evidence.n_files) == {}


def test_a_line_under_two_essays_is_furniture():
    teaser = "喜欢本文就请收藏转载吧"
    lines = ["留守儿童作文1", PROSE_A, teaser, "", "留守儿童作文2", PROSE_B, teaser]
    assert verdicts(lines) == {}  # no headings known: nothing says the line recurs per essay
    assert verdicts(lines, keep=[1, 5]) == {3: "recurring", 7: "recurring"}


def test_a_refrain_inside_one_essay_is_not_furniture():
    lines = [
        "我的妈妈",
        "妈妈你在哪里",
        "月亮弯弯挂天上，奶奶的背影像月亮。",
        "妈妈你在哪里",
        "星星一闪一闪亮，妈妈的眼睛像星星。",
        "",
        "我的老师",
        PROSE_C,
    ]
    assert verdicts(lines, keep=[1, 7]) == {}


def test_teaser_under_related_list_is_furniture_but_cut_essay_text_is_kept():
    teaser = [
        "猜你喜欢",
        "留守儿童作文600字",
        "关爱留守儿童演讲稿",
        "妈妈的信：每当夜深人静的时候，我总是想起远方的妈妈……查看全文>>",
    ]
    assert verdicts(teaser)[4] == "readmore"
    cut = [
        "我的奶奶",
        PROSE_A,
        "那一年冬天，爸爸妈妈又要出门打工了，我躲在门后……查看全文>>",
        "Copyright © 2023 青青范文网 版权所有",
    ]
    assert verdicts(cut) == {4: "copyright"}


# ---------------------------------------------------------------- metadata


@pytest.mark.parametrize(
    "line, meta",
    [
        ("作者：李明", {"author": "李明"}),
        ("文/王小丽", {"author": "王小丽"}),
        ("来源：青青范文网", {"source": "青青范文网"}),
        ("时间：2023-05-12 10:21", {"date": "2023-05-12"}),
        ("责任编辑：赵敏", {"editor": "赵敏"}),
        ("【责编：孙晓】", {"editor": "孙晓"}),
        ("指导老师：陈芳", {"guidance": "陈芳"}),
        ("（指导教师 周红梅）", {"guidance": "周红梅"}),
        ("投稿人：林晓 指导老师：何静", {"author": "林晓", "guidance": "何静"}),
        ("發佈時間：2021年6月8日　作者：張小華", {"author": "张小华", "date": "2021年6月8日"}),
        # no author for an anonymous byline
        ("作者：佚名", {}),
        ("作者：匿名", {}),
        ("作者：佚名  时间：2022-11-03", {"date": "2022-11-03"}),
        ("分享到：微信 微博 QQ空间", {}),
    ],
)
def test_line_metadata(line, meta):
    assert line_metadata(line) == meta


# ---------------------------------------------------------------- ruby


@pytest.mark.parametrize(
    "text_in, text_out",
    [
        ("我們的學(xué)校很漂亮", "我們的學校很漂亮"),
        ("關(guān)愛留守兒童", "關愛留守兒童"),
        ("我的(de)妈妈", "我的妈妈"),
        ("留守（liú）儿童", "留守儿童"),  # full-width brackets
        # negatives: section numbers, words in brackets, English names, years
        ("(一)开展活动", "(一)开展活动"),
        ("（一）开展活动", "（一）开展活动"),
        ("请见（附件）", "请见（附件）"),
        ("我的同学(Tom)来自英国", "我的同学(Tom)来自英国"),
        ("去年(2023)我上了初中", "去年(2023)我上了初中"),
        ("音乐(music)课", "音乐(music)课"),
    ],
)
def test_remove_ruby(text_in, text_out):
    assert remove_ruby(text_in) == text_out


def test_normalise_removes_ruby_and_converts_script():
    assert normalise("  當前位置：首頁 ＞ 學(xué)校  ") == "当前位置:首页 > 学校"


def test_a_line_longer_than_any_furniture_is_text_even_between_furniture():
    from analysis.ingest.pagechrome import LONG_LINE, classify_lines

    long_line = "分享到：微信 微博 QQ空间 " * (LONG_LINE // 10)
    lines = ["当前位置：首页 > 作文 > 正文", long_line, "上一篇：我的妈妈", "下一篇：我的爸爸"]
    verdicts = classify_lines(lines)
    assert 2 not in verdicts
    assert {1, 3, 4} <= set(verdicts)


def test_an_accounts_name_and_profile_above_its_follow_button_are_its_byline():
    lines = [
        "做了五年乡村教师，我想说说留守孩子的“懂事”",
        "周晓岚",
        "乡村小学语文教师，写写山里的孩子",
        "+ 关注她",
        "我在山里教书的第一年，班上二十六个孩子有十九个是留守儿童，他们的懂事常常让我心疼。",
    ]
    kinds = {no: v.kind for no, v in classify_lines(lines).items()}
    assert (kinds[2], kinds[3], kinds[4]) == ("byline", "byline", "control")
    assert kinds.get(1) != "byline" and 5 not in kinds  # the title and the text are not the account's


def test_readers_comments_under_a_count_header_after_short_poems_are_comments():
    poem = ["爸爸在远方", "妈妈也在远方", "门口的老槐树", "替他们看着我"]
    lines = [
        "各位乡亲：孩子们在诗歌课上写了很多小诗，我们从中选了两首，送给在外打工的爸爸妈妈们。"
        "希望大家读一读，也给孩子们回个电话，说一说你们的想念。这是孩子们最想要的节日礼物。"
        "诗歌课是村里的童心驿站请县城的老师来上的，一共上了三次，孩子们每次都早早坐好，等着老师进门。"
        "老师说，诗就是把心里最想说的话写下来。",
        "槐树",
        *poem,
        "精选留言",
        "老槐树下：写得真好，看哭了。",
        "在外的阿松：今年一定回家！",
    ]
    verdicts = classify_lines(lines, keep={2})
    assert {7, 8, 9} <= set(verdicts) and all(verdicts[k].kind == "comment" for k in (8, 9))
    assert not set(verdicts) & set(range(3, 7))  # the poem is text


def test_a_bulleted_teaser_quoting_its_articles_first_words_is_related():
    lines = [
        "我家门前有一棵老槐树，爸爸走的那年我们一起种下的，如今它比我还高了。",
        "更多相关作文",
        "· 我的爸爸在远方500字：爸爸去年过完年就走了，他说要去城里挣钱给我交学费，让我听奶奶的话……",
    ]
    verdicts = classify_lines(lines)
    assert verdicts[3].kind == "related"


def test_a_paywall_prompt_under_a_cut_is_chrome_but_a_cut_marker_after_a_docs_facts_is_a_cut():
    from analysis.ingest.clean import cut_marker_re

    cut = ["他说：“我想……” 此处隐藏1200个字，", "【开通会员】 【登录后免费阅读】 本文为会员专享内容，已有812人开通"]
    assert classify_lines(cut)[2].kind == "login"
    doc = [
        "学校要为每名留守儿童建立档案，班主任每月至少家访一次。",
        "（本文档共6页，当前仅显示前2页，下载后查看完整内容）",
    ]
    assert 2 not in classify_lines(doc) and cut_marker_re(None).search(normalise(doc[1]))


def test_comments_under_a_header_with_its_sort_order_are_comments():
    lines = [
        "女孩站上领奖台",
        "大家好，我叫石小满，今年十四岁，",
        "是石门乡中学八年级的学生，这是我第一次在这么多人面前说话。我想先问大家一个问题。",
        "每一次爸爸妈妈回来，我都很开心，可是我不敢表现得太开心，因为我知道开心完了他们就又要走了。",
        "评论区（1568）　按热度 | 按时间",
        "一棵小白杨：破防了，我小时候也是这样。",
    ]
    verdicts = classify_lines(lines, keep={1})
    assert verdicts[5].kind == verdicts[6].kind == "comment"
    assert 2 not in verdicts  # a clause that goes on is text, whatever surrounds it


def test_a_posts_edit_note_opens_no_comment_section():
    lines = [
        "[原创] 在外打工九年，女儿终于肯叫我一声妈了",
        "楼主　云碓村的阿芳　发表于 2024-3-9 22:17",
        "今晚下夜班，坐在宿舍床上，想把这些年的事写下来。女儿两岁那年，我和她爸就去了南方的电子厂。"
        "头几年每次过年回家，她都躲在外婆身后，不肯叫我。",
        "本帖最后由 云碓村的阿芳 于 2024-3-9 22:41 编辑",
        "后来我学会了每天晚上和她视频，哪怕只有五分钟。",
    ]
    verdicts = classify_lines(lines, keep={1})
    assert 5 not in verdicts  # the post goes on under its edit note


def test_a_proposals_part_labels_are_text_but_a_bulletins_column_label_is_furniture():
    lines = [
        "关于改善乡村学校寄宿条件的建议",
        "【案由】",
        "我县乡村学校寄宿生中留守儿童占七成以上，不少学校宿舍拥挤，冬天没有热水，孩子们周末回家的路也很远。",
        "【建议】",
        "一是分批改造宿舍，二是配齐生活老师，三是开通周末接送车，让孩子们住得安心、回家方便。",
    ]
    verdicts = classify_lines(lines, keep={1})
    assert {2, 4} & set(verdicts) == set()
    assert kind_of("【工作动态】") == "other"  # a column's label in a bulletin stays furniture


def test_an_earlier_mail_quoted_under_a_reply_is_furniture_however_long():
    quoted = (
        "> 这个月我们去了三个村，一共走访了十一户留守家庭，孩子们的情况大体还好，但有两个孩子成绩下滑得很厉害，"
        "家里老人也说不清原因，我想下次家访时请班主任一起去，顺便看看孩子们的作业本。"
    )
    lines = [
        "主题：回复：三月家访小结",
        "谢谢你的小结，我下周二有空，可以和班主任一起去。另外，那两个孩子的作业本我先借来看看。",
        "阿伟",
        "> 在 2024年3月10日 21:40，林晓 写道：",
        quoted,
    ]
    verdicts = classify_lines(lines, keep={1})
    assert {4, 5} <= set(verdicts) and verdicts[5].kind == "other"
    assert 2 not in verdicts
    # an essay that quotes a diary (no mail's clock time, no > mark) keeps its line
    essay = ["我的日记", "在2019年的日记里，我写道：", "“妈妈，今天我又考了第一名，你什么时候回来看我？”"]
    assert 2 not in classify_lines(essay, keep={1})


def test_a_pupils_class_in_chinese_numerals_is_a_byline():
    # session 18 (heldout14): 四年级二班 as well as 四年级(2)班
    from analysis.ingest.pagechrome import is_pupil_byline

    assert is_pupil_byline(normalise("石桥小学　三年级一班　龙小溪"))
    assert is_pupil_byline(normalise("五年级十二班 田甜"))
    assert not is_pupil_byline(normalise("三年级一班的同学们都来了"))


def test_a_wechat_posts_selected_comments_header_opens_the_comments():
    lines = [
        "01｜外婆的菜园",
        PROSE_A + PROSE_B,
        PROSE_C + PROSE_A,
        "留言精选",
        "青竹小学 米老师：孩子写得真实，读着心里酸酸的。",
        "山茶：“外婆的菜园”这一句太好了。",
    ]
    kinds = verdicts(lines, keep={1})
    assert kinds.get(4) == kinds.get(5) == kinds.get(6) == "comment"
    assert 2 not in kinds and 3 not in kinds


def test_a_contact_row_is_not_a_forms_row():
    assert kind_of("联系人：吴一　　联系电话：0000-1234567") == "contact"  # (may close a document: its guard)


def test_numbered_titles_under_a_related_header_ending_a_clause_are_text():
    lines = [
        "相关阅读",
        "· 乡村学校的午餐变了",
        "· 寄宿生的周末怎么过？",
        "从那天起，我给自己立了两条规矩：",
        PROSE_A,
    ]
    assert 4 not in verdicts(lines, keep=set())


# ---- shapes from dev21 (was heldout16) and dev22 (was heldout17), session 19

SESSION19_CHROME = [
    ("ad", "✦ 写总结没头绪？AI写作助手，一键生成心得体会，立即体验"),
    ("ad", "每月资助五十元，就能为山里的孩子添一套课外书。【我要捐款】"),  # (a sentence, then its button)
    ("caption", "（图源网络，侵删）"),
    ("copyright", "特别声明：本文由作者上传，仅代表该作者本人观点，平台仅提供信息存储空间服务。"),
    ("control", "投诉/反馈"),
    ("control", "PDF下载(0.8MB)　　导出引用　　BibTeX"),
    ("control", "收藏这篇习作　　推荐到年级　　打印"),
    ("commentary", "【眉批】这里把信封比作小船，很新鲜。"),
    ("commentary", "【总评】全文围绕一封没寄出的信展开，情感真挚，结尾再收紧一些会更好。"),
    ("commentary", "批阅教师：石老师　　2024-05-06"),
    ("other", "评分细则：立意 15/20　　语言 16/20"),
    ("other", "二等奖：田雨　龙小溪　吴可　石头"),
    ("other", "三等奖：（名单略，见附件）"),
    ("other", "获奖名单（高中组）"),
    ("other", "高中组季军"),
    ("other", "全文预览"),
    ("other", "引用本文：龙海. 山村学校的寄宿生活[J]. 某某教育, 2020(1): 1-5."),
    ("other", "1. 某某师范学院 文学院，江西 某市 330000；2. 某县第一中学，江西 某县 331000"),
    ("other", "附："),
    ("other", "来信内容："),
    ("other", "——记青山村小教师龙小梅"),
    ("other", "姓　　名：田某　　性　　别：男　　出生年月：1979.03"),
    ("other", "推荐事迹（限800字以内）："),
    ("other", "县教育局审核意见：同意。（盖章）　2023年6月"),
    ("other", "作者简介：龙海（1985—），男，某某人，讲师，主要研究乡村教育。"),
    ("other", "全书PDF版可在本页下载，欢迎各校索取。"),
    ("editor", "（中略）"),
    ("collection_title", "获奖作品选登"),
    ("collection_title", "同题习作推荐"),
    ("collection_title", "“我的家乡”征文结果公布及优秀作品展示"),
    ("blurb", "文档简介：本文介绍某乡镇开展留守儿童结对帮扶的做法和成效，可供参考"),
    ("publication", "信件编号：XZ20240088"),
    ("publication", "主 持 人：县政府新闻办　龙一"),
    ("publication", "发布地点：县融媒体中心一楼"),
    ("byline", "撰文：志愿者　田小禾"),
    ("byline", "签发人：吴立"),
    ("byline", "答复单位：某镇人民政府"),
    ("byline", "（本文由读者“山路弯弯”投稿，编辑部整理）"),
    ("byline", "（作者系县一中高二学生，暑假参加了支教）"),
    ("byline", "龙海1，田雨2，吴可1"),
    ("guidance", "温馨提示：信件内容由来信人负责，涉及隐私的内容已隐去，请勿转载。"),
    ("guidance", "温馨提示：如附件无法打开，请先安装阅读器，或联系管理员获取。"),
    ("login", "微信扫码支付　|　已购买？请登录"),
]


@pytest.mark.parametrize("kind, line", SESSION19_CHROME)
def test_session19_furniture(kind, line):
    assert kind_of(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "0　引言",  # a paper's first section, numbered 0: no menu item
        "冠军是谁呢？我们都在猜。",
        "评分的时候，老师给了我满分。",
        "附近的孩子都来了，院子里一下子热闹起来。",
        "她说：“举报不是告状，是保护自己。”",
        "我家的燕子每年都回来，它们从来不迟到。",
        "温馨提示这四个字，妈妈写在了冰箱门上。",
    ],
)
def test_session19_text_is_no_furniture(line):
    assert kind_of(line) is None


def test_a_running_heads_first_line_above_all_text_is_the_documents_title():
    lines = [
        "第1页/共3页",
        "某乡留守儿童情况调查",  # 2: the title on the first page
        PROSE_A,
        "第2页/共3页",
        "某乡留守儿童情况调查",  # 5: the same line over the next page: a running head
        PROSE_B,
    ]
    kinds = verdicts(lines)
    assert 2 not in kinds and kinds[5] == "other"


def test_an_issuing_body_over_its_date_is_no_footer_of_the_folder():
    unit = "某县民政局"
    files = [
        [unit, "关于做好寒假留守儿童关爱工作的通知", PROSE_A, unit, "2024年1月8日"],
        [unit, "某县民政局召开儿童主任培训会", PROSE_B],
        [unit, "关于开展走访慰问的通知", PROSE_C, unit, "2024年1月20日"],
    ]
    evidence = FolderEvidence.of(["\n".join(f) for f in files])
    kinds = verdicts(files[0], folder=evidence.counts, n_files=evidence.n_files, keep={2})
    assert kinds[1] == "recurring" and 4 not in kinds  # the site's name at the top; the signature kept


def test_a_journal_pages_keywords_among_its_apparatus_are_tags():
    paper = [
        "山村寄宿学校的夜晚",
        "摘要：本文调查了三所寄宿制小学的晚间生活，发现孩子们最需要的是有人陪伴，并提出了改进建议。",
        "关键词：寄宿制；陪伴；乡村教育",
        "A Study of Evenings in Rural Boarding Schools",
        "中图分类号：G62　　文献标识码：A",
        PROSE_A,
    ]
    assert verdicts(paper, keep={1}).get(3) == "tags"
    report = paper[:3] + ["一、调查对象", PROSE_A]  # a report's keywords with its text under them
    assert 3 not in verdicts(report, keep={1})


def test_comments_under_the_bar_that_counts_them_are_comments():
    lines = [
        "探访日记：山那边的教室",
        PROSE_A + PROSE_B,
        "赞 12　｜　分享　｜　评论 2",
        "Lily Chen：看完很想去做义工。",
        "山风 回复 Lily Chen：欢迎报名！",
        "",
        PROSE_C,
    ]
    kinds = verdicts(lines, keep={1})
    assert kinds.get(4) == kinds.get(5) == "comment" and 7 not in kinds
    # no count, no comments: a dialogue under a share bar stays text
    lines[2] = "赞 12　｜　分享　｜　评论"
    assert 4 not in verdicts(lines, keep={1})


def test_a_questions_description_and_the_answerers_lines_are_furniture():
    lines = [
        "你在乡村学校教书时最难忘的一件事是什么？",
        "刚考上特岗教师，下学期要去村小，想先听听大家的经历。",  # 2: the question's description
        "关注者 1,024　　被浏览 88,000",
        "",
        "田野里的老师",  # 5: the answerer
        "村小数学老师，教龄六年",  # 6: their profile
        "386 人赞同了该回答",
        PROSE_A + PROSE_B,
    ]
    kinds = verdicts(lines, keep={1})
    assert kinds.get(2) == "blurb" and kinds.get(5) == kinds.get(6) == "byline" and 8 not in kinds


def test_a_related_list_under_a_marked_header_takes_teasers_cut_by_an_ellipsis():
    lines = [
        PROSE_A,
        "▼往期推荐",
        "【收藏】家访记录怎么写？三个要点讲清楚",
        "山里的孩子第一次看见大海，他们说的第一句话是……",
        "相关推荐",
        "【暑期】青山村：志愿者和孩子们一起种下了一排向日葵，村里的老人都说好看…",
        "",
        "我想，等向日葵开了，爸爸妈妈也该回来了……",  # after the blank line: text again
    ]
    kinds = verdicts(lines)
    assert all(kinds.get(k) == "related" for k in (3, 4, 6)) and 8 not in kinds


# ---- shapes from dev23 (was heldout18), session 19

SESSION19_DEV23_CHROME = [
    ("ad", "点击下载：少年写作宝典 App，名家范文随身带"),
    ("ad", "本站提供各类总结代写服务，原创保障，12小时内交稿，详询在线客服"),
    ("guidance", "温馨提示：心得体会写作应突出真情实感，少用套话，多写具体的事。"),
    ("guidance", "溫馨提示：按 ← 鍵回到上一章，按 → 鍵翻到下一章。"),  # (either script)
    ("comment", "网友“山口的老槐树”：这样的活动多办几次，孩子们都盼着呢。"),
    ("comment", "小禾 回复 过路人：谢谢鼓励，下周接着写。"),
    ("comment", "满意请点采纳，不懂再问我！"),
    ("forum", "最佳答案"),
    ("related", "本系列文章：第一天 出发 | 第二天 进山 | 第三天 告别"),
    ("related", "其他类似问题：留守儿童作文怎么写？　写留守儿童的演讲稿……"),
    ("blurb", "博主简介：小禾，某师范学院学生，喜欢记录乡村孩子的故事，写过三十多篇支教日记……"),
    ("blurb", "今天是返校的日子，写给班里那些盼着过年的孩子。图有点长。#乡村教育# #开学季#"),
    ("byline", "山村老师田小禾 V"),
    ("other", "[图片加载失败，点击重试]"),
    ("spam", "用户66****：代写各类作文、论文，价格实惠，加微信 zw0000"),
]


@pytest.mark.parametrize("kind, line", SESSION19_DEV23_CHROME)
def test_session19_dev23_furniture(kind, line):
    assert kind_of(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "我们班最佳答案的评选，每次都是她赢。",
        "她回复我：“明天见。”",
        "妈妈说，我们村的#号键坏了，打电话总是按不出去。",
        "本系列的最后一天，我们去了山顶。",
        "我帮奶奶下载了一个听戏的App，她高兴极了。",
        "爸爸说他在城里做代写，给人写信，一封五块钱。",
    ],
)
def test_session19_dev23_text_is_no_furniture(line):
    assert kind_of(line) is None


def test_a_blurb_that_ends_whole_does_not_run_into_the_text_below():
    lines = [
        "导读：暑假里，县里的大学生志愿者走进了二十个村子，陪孩子们读书、画画、做手工……",
        "8月2日下午，某村的文化室里坐满了孩子，志愿者正教他们折纸飞机，",
        "孩子们一边折一边笑。",
    ]
    assert verdicts(lines) == {1: "commentary"}  # (导读 is read as an editor's note)
    post = ["写给我的学生们，明天就开学了。#开学季# #乡村教师#", "开学前一晚，写给他们", PROSE_A]
    assert verdicts(post, keep={2}) == {1: "blurb"}


# ---- shapes from dev24 (was heldout19), session 20

SESSION20_DEV24_CHROME = [
    ("caption", "照片｜志愿者在村小门口合影，已征得家长同意"),
    ("caption", "师生合影留念"),
    ("caption", "运动会剪影"),
    ("blurb", "核心提示：暑假期间，县里组织了四十名大学生走进山村，为孩子们开设了阅读课……"),
    ("blurb", "【重点摘要】调查显示，近六成留守儿童每月与父母通话不足两次。"),
    ("login", "已是订户？请登入"),
    ("login", "完整版请 登录 后阅读"),
    ("publication", "上传人：林**9　　贡献于2021-11-02　　4.8分"),
    ("pagination", "3/20"),
    ("pagination", "· 112 ·"),
    ("other", "第12卷第3期　　　　某某教育研究　　　　· 45 ·"),
    ("other", "【拼音版】本文已为一年级小读者加注拼音"),
    ("other", "（全文已添加拼音，方便小朋友朗读）"),
]


@pytest.mark.parametrize("kind, line", SESSION20_DEV24_CHROME)
def test_session20_dev24_furniture(kind, line):
    assert kind_of(line) == kind


@pytest.mark.parametrize(
    "line, kind",
    [
        ("想报名的家长，欢迎在公众号后台留言“姓名+村名”，我们会尽快联系您。", "other"),
        ("扫码下载本文档需要登录，并消耗相应积分。　　下载　　收藏　　分享　　举报", "control"),
    ],
)
def test_session20_dev24_furniture_that_reads_as_a_sentence(line, kind):
    assert verdicts([line]) == {1: kind}


@pytest.mark.parametrize(
    "line",
    [
        "那天的比赛现场，我第一次看见爸爸哭了。",  # (a sentence about a scene, no caption)
        "爸爸把我们的合影夹在钱包里，一看就是好几年。",
        "我不认识的字，就先用拼音代替，老师说这样也可以。",
        "奶奶不会发微信，每次都让我在后台帮她看留言。",
        "摘要",
        "第三卷书我还没有读完。",
        "12/3班的同学们都来了。",
    ],
)
def test_session20_dev24_text_is_no_furniture(line):
    assert kind_of(line) is None


@pytest.mark.parametrize("line", ["[复制链接]", "【打印本页】", "[只看该作者]", "【关闭窗口】"])
def test_a_forum_button_in_brackets_is_chrome(line):
    assert pattern_kind(normalise(line), load_rules()) is not None


@pytest.mark.parametrize("line", ["[复制链接]是什么意思，我一直不懂。", "【关闭窗口】这四个字奶奶不认识。"])
def test_a_sentence_about_a_button_is_no_chrome(line):
    assert pattern_kind(normalise(line), load_rules()) is None


@pytest.mark.parametrize(
    "line",
    [
        "【中图分类号】 G451.2 【文献标识码】 B",
        "[文章编号] 1002-7766(2019)08-0031-02",
        "（相关资料图）",
        "(新闻资料图片)",
    ],
)
def test_a_papers_bracketed_apparatus_and_a_file_photo_note_are_chrome(line):
    assert pattern_kind(normalise(line), load_rules()) is not None


@pytest.mark.parametrize("line", ["【中图分类号】是什么，老师没有讲。", "我翻出了相关资料图（一张旧照片）给奶奶看。"])
def test_sentences_mentioning_them_stay(line):
    assert pattern_kind(normalise(line), load_rules()) is None


# ---- shapes from dev25 (was heldout20), session 21

SESSION21_DEV25_CHROME = [
    ("commentary", "家长寄语：小禾，爸爸在工地上读了你的作文，眼睛都湿了。要好好吃饭。"),
    ("commentary", "家长评语：孩子写得很认真，我们很感动。"),
    ("control", "1 | “春苗计划”报名汇总表 | .xlsx | 下载"),
    ("control", "发表评论 | 表情 | 插入图片"),
    ("login", "登录后发帖，和其他吧友一起讨论"),
    ("login", "登录后评论"),
    ("pagination", "回复贴，共17页"),
    ("forum", "山里的小石头　12级"),
    ("other", "（此处扫描件残缺）"),
]


@pytest.mark.parametrize("kind, line", SESSION21_DEV25_CHROME)
def test_session21_dev25_furniture(kind, line):
    assert kind_of(line) == kind


@pytest.mark.parametrize("line", ["2 | 家访记录表 | .docx | 点击下载", "［原书第27页缺失］"])
def test_session21_dev25_more_furniture(line):
    assert kind_of(line) is not None  # (an attachment row reads as a menu too; a lost page's note as a page mark)


@pytest.mark.parametrize(
    "line",
    [
        "家长会上，老师念了我的作文，奶奶听不懂，却一直在笑。",  # (no label: a sentence about a parents' meeting)
        "我把表格下载下来，一格一格地填好了。",
        "登录后我才发现，妈妈给我留了十几条消息。",
        "他的成绩在班上排第12级台阶那么高。",
        "那本书第27页缺了一角，是弟弟撕的。",
        "评论区里有人说我写得太假了，我很难过。",
    ],
)
def test_session21_dev25_text_is_no_furniture(line):
    assert kind_of(line) is None


_LETTER_A = "你每天都要按时吃饭，按时睡觉，有不会的题就去问隔壁的姐姐。"
_LETTER_B = "老师在城里也会想你们的，等放了寒假，我还会回来看你们。"


def test_a_letters_signature_recurring_under_each_letter_of_a_collection_is_the_letters_own():
    lines = [
        "第一封：给阿竹",  # 1
        "阿竹：",
        _LETTER_A,
        "周老师",  # 4: the same signer under every letter
        "3月2日",
        "",
        "第二封：给小雨",  # 7
        "小雨：",
        _LETTER_B,
        "周老师",  # 10
        "3月3日",
        "",
        "本文由网友上传，如有侵权请联系删除",  # 13
    ]
    v = verdicts(lines, keep=[1, 7])
    assert 4 not in v and 10 not in v and 5 not in v and 11 not in v
    assert v[13] == "copyright"
    # negative: the same name under each piece with no date under it recurs as furniture
    undated = ["第一封：给阿竹", _LETTER_A, "周老师", "", "第二封：给小雨", _LETTER_B, "周老师"]
    assert verdicts(undated, keep=[1, 5]) == {3: "recurring", 7: "recurring"}


def test_teasers_that_quote_a_sentence_under_a_bare_related_header_are_furniture():
    lines = [
        "我的外婆",  # 1 (heading)
        _LETTER_A,
        _LETTER_B,
        "猜你喜欢",  # 4
        "那年冬天，我第一次一个人坐车去县城看望住院的外婆。",  # 5: a teaser quoting its article's first sentence
        "留守孩子的暑假该怎么过",  # 6
        "更多文章　更多",  # 7
    ]
    v = verdicts(lines, keep=[1])
    assert v[5] == "related" and v[6] == "related"
    # negative: a header with text running on under it to the page's end (no furniture closing a short list)
    text = [
        "我的外婆",
        _LETTER_A,
        "猜你喜欢",
        "那年冬天，我第一次一个人坐车去县城看望住院的外婆。",
        _LETTER_B,
        _LETTER_A,
        _LETTER_B,
    ]
    assert 4 not in verdicts(text, keep=[1])


def test_an_accounts_name_over_a_bare_follow_button_under_the_title_is_its_byline():
    lines = ["那个夏天的西瓜", "山风慢慢吹", "关注", "2024.07.02 21:15　字数 1,208　阅读 316", _LETTER_A, _LETTER_B]
    v = verdicts(lines, keep=[1])
    assert v[2] == "byline" and v[3] == "other"
    # negative: a bare 关注 below the text names no account (the last line of text stays)
    end = ["那个夏天的西瓜", _LETTER_A, _LETTER_B, "谢谢你们", "关注"]
    assert 4 not in verdicts(end, keep=[1])


def test_the_thread_starters_floor_under_the_replies_to_the_floor_above_is_content():
    lines = [
        "【原创】外婆家的那条河",  # 1 (heading)
        "回复贴，共9页",
        "溪边的鹅卵石　楼主",
        "小时候我每天都在河边等外婆洗完衣服。",  # 4
        "1楼　2024-02-03 21:05　来自Android客户端",
        "回复",
        "路过的云：楼主写得好，接着写",
        "收起回复",
        "溪边的鹅卵石　楼主",  # 9
        "后来外婆走不动了，那条河也干了。",  # 10: the starter's next floor
        "2楼　2024-02-03 21:20　来自Android客户端",
        "晚风阿七",  # 12
        "看哭了，想我外婆",  # 13: a reply
        "3楼　2024-02-03 21:31",
    ]
    v = verdicts(lines, keep=[1])
    assert 4 not in v and 10 not in v
    assert v[13] == "comment" and v[9] == "forum"
