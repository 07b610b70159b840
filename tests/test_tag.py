"""Tests for analysis.methods.tag: genre, narrator, person, gender, school level,
setting, places; section structure; numbers."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

from analysis.reporting.figures import plot_genre_counts
from analysis.methods.tag import (
    GENRES,
    TAG_COLUMNS,
    cn_number,
    decide_person,
    find_heading,
    find_numbers,
    numbers,
    school_level_with_confidence,
    structure,
    tag_essays,
    tag_table,
    tag_text,
)

from seed_data import seed_tables

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def seed():
    return seed_tables()


@pytest.fixture(scope="module")
def seed_tags(seed):
    essays, _, sentences = seed
    return tag_essays(essays, sentences).set_index("essay_id")


# ------------------------------------------------------------ seed tags ---
@pytest.mark.parametrize(
    "ordinal, genre, narrator, person",
    [
        (1, "work_summary", "teacher", "first"),
        (2, "profile", "third_party", "third"),
        (3, "work_summary", "teacher", "first"),
        (4, "self_narrative", "student", "first"),
        (5, "work_summary", "teacher", "first"),
        (6, "training_reflection", "teacher", "first"),
        (7, "news_story", "third_party", "third"),
        (8, "documentary_narration", "third_party", "third"),
        (9, "method_essay", "teacher", "first"),
        (10, "speech", "teacher", "first"),
    ],
)
def test_seed_tags(seed_tags, ordinal, genre, narrator, person):
    row = seed_tags.loc[f"seed-{ordinal:02d}"]
    assert (row["genre"], row["narrator"], row["narrative_person"]) == (genre, narrator, person), row["genre_evidence"]
    assert row["genre_evidence"] and row["narrative_person_evidence"]


@pytest.mark.parametrize(
    "ordinal, gender, quoted",
    [(1, "female", "女教师"), (4, "male", "男"), (5, "male", "父子"), (2, "", ""), (7, "", ""), (10, "", "")],
)
def test_seed_narrator_gender(seed_tags, ordinal, gender, quoted):
    row = seed_tags.loc[f"seed-{ordinal:02d}"]
    assert row["narrator_gender"] == gender
    assert quoted in row["narrator_gender_evidence"]


@pytest.mark.parametrize(
    "ordinal, level, setting, places",
    [
        (1, "primary", ["rural"], []),
        (3, "primary", ["rural", "boarding"], ["公主岭市"]),
        (4, "", ["boarding"], ["祁县", "忠陈村"]),
        (8, "primary", ["rural"], ["梁平县", "龙江村"]),
        (10, "junior_secondary", ["rural"], ["二郎乡"]),
    ],
)
def test_seed_school_setting_places(seed_tags, ordinal, level, setting, places):
    row = seed_tags.loc[f"seed-{ordinal:02d}"]
    assert row["school_level"] == level
    assert list(row["setting"]) == setting
    assert list(row["places"]) == places
    for p in places:
        assert p in row["places_evidence"]


def test_evidence_quotes_the_text(seed, seed_tags):
    essays = seed[0].set_index("essay_id")
    for essay_id, row in seed_tags.iterrows():
        for quoted in re.findall(r"“([^”]+)”", row["genre_evidence"]):
            assert quoted in essays.loc[essay_id, "text"]


# ------------------------------------------------- essays never seen before ---
NEW_ESSAYS = {
    "work_summary": (
        "本学期，我担任五年级二班的班主任。班里共有学生42人，其中留守儿童18人。一学期来，我坚持每月家访一次，"
        "为每个留守孩子建立了成长档案，还开展了“亲情电话”活动，让孩子们每周和父母通一次电话。经过努力，孩子们的"
        "学习成绩有了明显提高，取得了较好的成效。当然，工作中也存在一些不足，有的孩子仍然不愿意和老师交流。"
        "今后，我将继续努力，把关爱留守儿童的工作做得更细更实。",
        "teacher",
        "first",
    ),
    "profile": (
        "李XX，女，汉族，1975年3月出生，中共党员，大专学历，现任XX镇中心小学校长。从教二十多年来，她始终把"
        "留守儿童放在心上。学校有一百多名留守学生，她为每个孩子都安排了“代理家长”。她自掏腰包为贫困学生购买"
        "学习用品，每逢节假日，她总是把留守孩子接到家中过节。她先后被评为县优秀教师、市师德标兵。",
        "third_party",
        "third",
    ),
    "self_narrative": (
        "我叫小雨，今年十岁，在村里的小学读四年级。我的爸爸妈妈在广东打工，一年只回来一次。我和奶奶住在一起，"
        "奶奶身体不好，我每天放学回家都帮她做饭、喂鸡。我是一名留守儿童，我很想念爸爸妈妈，每次打电话我都忍不住"
        "哭。但是我知道他们很辛苦，我要好好学习，将来回报爸爸妈妈。",
        "student",
        "first",
    ),
    "training_reflection": (
        "今年暑假，我有幸参加了县里组织的留守儿童心理健康教育培训。短短五天的学习，专家们的讲座让我受益匪浅。"
        "通过这次培训，我认识到关爱留守儿童不仅要关心他们的生活，更要关注他们的内心。培训中，一位教授讲到的"
        "“情感陪伴”给了我很大启发。回到学校后，我要把学到的方法用到班级管理中去。这次学习收获很大，下面谈谈"
        "我的几点体会。",
        "teacher",
        "first",
    ),
    "news_story": (
        "本报讯（通讯员 XX）6月1日上午，县关工委联合团县委在城关镇中心小学举行“关爱留守儿童·共度六一”活动。"
        "活动现场，志愿者们为200多名留守儿童送去了书包、文具等礼物，并和孩子们一起做游戏、唱儿歌。据了解，该县"
        "现有留守儿童3000余人，今年以来已开展结对帮扶活动20余次。",
        "third_party",
        "third",
    ),
    "documentary_narration": (
        "镜头里，十二岁的小军正蹲在灶台前烧火。他的父母在浙江打工，已经两年没有回家了。片中，小军每天清晨五点"
        "起床，给瘫痪在床的爷爷熬药，然后走一个小时的山路去上学。画面中，爷爷坐在门槛上，望着孙子远去的背影。"
        "夜深了，小军趴在昏暗的灯下写作业，窗外只有虫鸣。",
        "third_party",
        "third",
    ),
    "method_essay": (
        "如何做好留守儿童的教育工作？我认为应从以下几方面入手。首先，要建立留守儿童档案，全面了解每个孩子的家庭"
        "情况。其次，我们要加强与监护人的沟通，指导他们科学育儿。再次，要开展丰富多彩的集体活动，让孩子们感受到"
        "集体的温暖。最后，我们作为班主任要重视心理健康教育，及时疏导孩子的不良情绪。只要措施得当，留守儿童一定"
        "能健康成长。",
        "teacher",
        "first",
    ),
    "speech": (
        "尊敬的各位领导、老师们，亲爱的同学们：\n大家下午好！\n我是六年级的班主任，今天很荣幸代表全体教师在这里发言。"
        "我们学校有三分之一的学生是留守儿童，他们的父母远在他乡，把孩子托付给了我们。我们每一位老师都愿意做孩子们"
        "的“临时父母”。同学们，你们并不孤单，学校就是你们温暖的家。\n最后，祝同学们健康快乐，学习进步！谢谢大家！",
        "teacher",
        "first",
    ),
    "other": (
        "春天来了，柳树发芽了，小河里的冰也融化了。田野里开满了金黄的油菜花，蜜蜂在花丛中飞来飞去。远处的山坡上，"
        "几头黄牛正悠闲地吃着青草。",
        "third_party",
        "third",
    ),
}


@pytest.mark.parametrize("genre", list(NEW_ESSAYS))
def test_new_essays(genre):
    text, narrator, person = NEW_ESSAYS[genre]
    tags = tag_text(text)
    # a text with no cue of any genre (a landscape) is "other" (the coding guide's "anything else") to the rules;
    # the blended model of session 22 spread its probability there (0.28 < UNCERTAIN_BELOW) and said "uncertain".
    # Refitted in session 23 with dev5's long essays in the n-gram vocabulary, it leans to self_narrative (0.35,
    # a pupil's 写景 composition reads like this): it may name a genre only unsure, below MODEL_SURE
    from analysis.methods.tag import MODEL_SURE

    expected = {"other", "uncertain"} if genre == "other" else {genre}
    unsure = genre == "other" and tags["genre_confidence"] < MODEL_SURE["genre"]
    assert (tags["genre"] in expected or unsure) and (tags["narrator"], tags["narrative_person"]) == (
        narrator,
        person,
    ), tags["genre_evidence"]
    assert tags["genre_confidence"] == tags["genre_confidence"]  # a number whenever the model decides


def test_rules_alone_still_say_other_for_a_text_without_cues():
    text, narrator, person = NEW_ESSAYS["other"]
    assert tag_text(text, model=False)["genre"] == "other"


def test_uncertain_genre_has_low_confidence():
    # a genre is 'uncertain' exactly where the model's confidence is below the threshold, and a text without
    # evidence is, so the rule is exercised (since the refit on dev6 the landscape 今天天气很好。 gets a genre at
    # 0.37, below MODEL_SURE; since the refit on dev8 天很蓝。风很轻。 too, at 0.34, and 山上有树，树下有河。 is uncertain)
    from analysis.methods.tagmodel import UNCERTAIN_BELOW, load_coded

    texts = [t for _, t, _ in load_coded(["dev3"])] + [
        NEW_ESSAYS["other"][0],
        "今天天气很好。",
        "天很蓝。风很轻。",
        "山上有树，树下有河。",
    ]
    tags = [tag_text(t) for t in texts]
    uncertain = [t for t in tags if t["genre"] == "uncertain"]
    assert uncertain and all(t["genre_confidence"] < UNCERTAIN_BELOW for t in uncertain)
    assert all(t["genre_confidence"] >= UNCERTAIN_BELOW for t in tags if t["genre"] != "uncertain")


# essays written for these tests (session 22), not taken from any coded folder
HOME_VISIT = (
    "周六上午，我骑着电动车去班上小林家家访。小林的爸爸妈妈都在广东打工，他跟着七十多岁的奶奶生活。一进门，奶奶就"
    "拉着我的手说孩子不听话。我坐下来和小林聊了很久，才知道他晚上常常一个人偷偷哭。我答应他每周给他妈妈打一次视频"
    "电话。回学校的路上，我心里很不是滋味：作为他的班主任，我还能为他多做些什么？"
)
STUDENT_SPEECH = (
    "尊敬的各位领导、老师，亲爱的同学们：\n大家上午好！我是八年级三班的王小雨，今天很荣幸作为学生代表在国旗下发言。"
    "我的爸爸妈妈常年在外打工，是老师们像家人一样照顾我们。在这里，我想对老师们说一声谢谢！同学们，让我们好好学习，"
    "不让远方的爸爸妈妈担心。我的发言完毕，谢谢大家！"
)
LEADER_SPEECH = (
    "尊敬的各位领导、各位来宾，老师们、同学们：\n今天，我们在这里隆重举行全县关爱留守儿童工作推进会。近年来，全县上下"
    "高度重视留守儿童工作，建立了县、乡、村三级关爱网络。在此，我代表县委、县政府，向长期奋战在一线的教师和志愿者"
    "表示衷心的感谢！希望各部门再接再厉，把这项民心工程办好办实。谢谢大家！"
)
VOLUNTEER_NEWS = (
    "本报讯 记者从县教育局获悉，今年暑假期间，我县组织120名大学生志愿者深入28个村开展留守儿童陪伴活动。志愿者们为"
    "孩子们辅导作业、开设兴趣课堂。据了解，该活动已连续开展五年，累计服务留守儿童4000余人次。"
)


@pytest.mark.parametrize(
    "text, genre, narrator",
    [
        (HOME_VISIT, None, "teacher"),  # a teacher's own home-visit account (its genre is a judgement call)
        (STUDENT_SPEECH, "speech", "student"),
        (LEADER_SPEECH, "speech", "other"),  # a county leader is neither teacher nor student
        (VOLUNTEER_NEWS, "news_story", "third_party"),
    ],
)
def test_blended_model_on_new_essays(text, genre, narrator):
    tags = tag_text(text)
    assert tags["narrator"] == narrator, tags["narrator_evidence"]
    if genre is not None:
        assert tags["genre"] == genre and tags["genre_confidence"] >= 0.6, tags["genre_evidence"]


def test_stored_model_blends_the_ngram_model():
    import numpy as np

    from analysis.methods import tagmodel
    from analysis.methods.tag import load_tagging_cues

    model, cues = tagmodel.load(), load_tagging_cues()
    assert model["ngrams"]["analyzer"] == tagmodel.NGRAM["analyzer"]
    assert len(model["ngrams"]["vocabulary"]) == len(model["ngrams"]["idf"]) <= tagmodel.NGRAM["max_features"]
    assert {"家访", "记者", "培训"} <= set(model["ngrams"]["vocabulary"])
    blended = tagmodel.probabilities(model, LEADER_SPEECH, cues)
    cue_only = {
        **model,
        "models": {t: {k: v for k, v in m.items() if k != "ngram"} for t, m in model["models"].items()},
    }
    alone = tagmodel.probabilities(cue_only, LEADER_SPEECH, cues)
    x = tagmodel.tfidf(LEADER_SPEECH, model["ngrams"])
    for target, m in model["models"].items():
        classes, p = blended[target]
        p_ng = tagmodel._proba(m["ngram"]["coef"], m["ngram"]["intercept"], x)
        w = m["blend"]
        assert 0 < w < 1 and abs(p.sum() - 1) < 1e-9
        np.testing.assert_allclose(p, w * p_ng + (1 - w) * alone[target][1])
        assert not np.allclose(p, alone[target][1])  # the n-gram part is live


@pytest.mark.parametrize("analyzer, ngram_range", [("char", (1, 3)), ("char", (2, 4)), ("char_wb", (1, 3))])
def test_numpy_tfidf_and_probabilities_equal_sklearn(analyzer, ngram_range):
    # the build scores with numpy; the fit uses scikit-learn: the two must agree on real Chinese text
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from analysis.methods import tagmodel

    coded = tagmodel.load_coded(["dev"])
    train, labels = [t for _, t, _ in coded], [lab["genre"] for _, _, lab in coded]
    new = [t for t, _, _ in NEW_ESSAYS.values()] + [HOME_VISIT, STUDENT_SPEECH, "Ａbc  DEF\n\n我们\t 你好 a", "", "x"]
    vec = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram_range, sublinear_tf=True, max_features=2000, min_df=2)
    xs = vec.fit_transform(train)
    analyse = vec.build_analyzer()
    assert all(analyse(t) == tagmodel.char_ngrams(t, analyzer, ngram_range) for t in train + new)
    stored = tagmodel.export_vectorizer(vec, digits=None)
    ours = np.array([tagmodel.tfidf(t, stored) for t in new])
    np.testing.assert_allclose(ours, vec.transform(new).toarray(), rtol=0, atol=1e-12)
    clf = LogisticRegression(C=30, class_weight="balanced", max_iter=5000).fit(xs, labels)
    c = tagmodel.export_classifier(clf, digits=None)
    probs = np.array([tagmodel._proba(c["coef"], c["intercept"], x) for x in ours])
    np.testing.assert_allclose(probs, clf.predict_proba(vec.transform(new)), rtol=0, atol=1e-10)
    # the stored (rounded) numbers change a probability by far less than a reported digit
    rounded = tagmodel.export_classifier(clf)
    probs6 = np.array(
        [
            tagmodel._proba(rounded["coef"], rounded["intercept"], tagmodel.tfidf(t, tagmodel.export_vectorizer(vec)))
            for t in new
        ]
    )
    np.testing.assert_allclose(probs6, probs, rtol=0, atol=1e-4)


def test_tagging_does_not_import_sklearn():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from analysis.methods.tag import tag_text\n"
        f"tags = tag_text({STUDENT_SPEECH!r})\n"
        "assert tags['genre'] == 'speech', tags\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_every_genre_is_covered():
    assert set(NEW_ESSAYS) == set(GENRES)


@pytest.mark.parametrize(
    "text, gender",
    [
        ("我是一名女教师，在山区小学任教十年了。我爱我的学生，我把他们当作自己的孩子。", "female"),
        ("作为一名男教师，我常常和孩子们一起打篮球。我发现他们很需要关心，我也愿意陪伴他们。", "male"),
        ("我是一名班主任，我爱我的学生，我每天都和他们在一起，我很快乐。", ""),
        # third person: a woman teacher described from outside says nothing about the narrator
        ("她是一名女教师，在山区小学任教十年了。她爱她的学生。", ""),
    ],
)
def test_narrator_gender(text, gender):
    assert tag_text(text)["narrator_gender"] == gender


@pytest.mark.parametrize(
    "text, person",
    [
        ("我是一名班主任，我们班有很多留守儿童，我经常找他们谈心。", "first"),
        ("他是一名班主任，他们班有很多留守儿童，他经常找孩子们谈心。", "third"),
        # pronouns inside quotes do not count
        ("她对孩子说：“我会像妈妈一样照顾你，我保证，我们一起努力。”孩子哭了。", "third"),
        ("胡亮嘴巴蠕动着喷出一句话：“我要妈妈“！她流泪了，她抱住了孩子。", "third"),
    ],
)
def test_person(text, person):
    assert decide_person(text)[0] == person


@pytest.mark.parametrize(
    "text, level",
    [
        ("我在一所村小教书，班上是三年级的孩子。", "primary"),
        ("我是初中的班主任，我们七年级有很多留守学生。", "junior_secondary"),
        ("高中阶段的留守学生面临高考压力，高三学生尤其如此。", "senior_secondary"),
        ("幼儿园的小朋友离开父母后，在幼儿园里常常哭闹。", "preschool"),
        ("他高中毕业后回到村里工作。", ""),
        # session 21: vocational schools are upper-secondary, and their 专业二年级 is no primary grade
        ("我在镇上的职业中专读书，是机电专业二年级的学生，周末回奶奶家。", "senior_secondary"),
        ("高二年级的留守学生多，班会上大家都说想家。", "senior_secondary"),
        # a kindergarten class's name; a village school or teaching point is primary
        ("开学第一周，我们中三班的孩子哭了好几个，午睡时我和保育员轮流抱着。", "preschool"),
        ("作为一名村小老师，我所在的教学点只有两个老师。", "primary"),
        # the writer's level now outweighs the childhood she recalls
        ("现在我读高三了。想起小学二年级那年，我天天在村口等妈妈，小学六年过得很慢。", "senior_secondary"),
        # but a lunar date or 今年初 is not a grade
        ("今年初，我们学校开展了关爱活动。", ""),
    ],
)
def test_school_level(text, level):
    assert tag_text(text)["school_level"] == level


# Session 23, after test6 (now dev7): rules on the structure of the level evidence (school_level_rules in
# tagging_cues.yaml). Invented texts; every positive case fails on the code before the rules (look-alikes pass on both).
@pytest.mark.parametrize(
    "text, level",
    [
        # the writer's present level, stated, decides over the levels she recalls
        (
            "我小学六年在村小度过，三年级那年爸爸妈妈去了广东。小学五年级时我当上了少先队中队长。上初中后我开始住校，"
            "初二那年奶奶生了一场病，初三那年我常常一个人在宿舍哭。如今在县城读书，功课很紧。\n县二中高二（3）班 李思远",
            "senior_secondary",
        ),
        (
            "距离高考还有一百天了。晚上躺在宿舍床上，我想起小学二年级的冬天，想起村小的泥巴操场，想起小学毕业那天奶奶来接我。"
            "上初中以后，我一个月才回一次家，初三那年我考进了县城。",
            "senior_secondary",
        ),
        ("我今年读四年级了。想起幼儿园的时候，中班的老师总抱我，大班时我学会了跳舞，幼儿园的滑梯我最喜欢。", "primary"),
        # a university student writing: a present with no level code
        (
            "——写在大学一年级的寒假\n小学的时候，我在村小读书，三年级那年爸妈去了浙江。上初中后我住校，初二那年我第一次去他们打工的城市。",
            "",
        ),
        # look-alikes: a volunteer's university year quoted, a recalled class, one mention of 初中
        (
            "支教队来到我们村小，给三年级的孩子上美术课。队长、大三学生小周说：“孩子们画得很认真。”小学的操场上一片笑声。",
            "primary",
        ),
        (
            "我们村小有六个年级，三年级的留守孩子最多。每天放学，我陪三年级的孩子写作业。小学的孩子最需要陪伴，等他们上了初中就好多了。",
            "primary",
        ),
        # children of every age: an age range or a run of grades across levels
        (
            "全镇0至16周岁的留守儿童共二百一十人，其中上小学的一百零五人，上初中的六十人。镇里为小学生开设了周末课堂，小学的老师轮流值班。",
            "",
        ),
        ("参加夏令营的孩子最小的四岁，最大的十四岁。小学三年级的小明第一次离开奶奶，小学五年级的小红当了组长。", ""),
        ("我校是一所九年一贯制学校，一至九年级共有留守学生三百人。小学部重在生活照料，初中部重在心理辅导。", ""),
        # look-alikes: an age range in a definition, a range within one level
        (
            "留守儿童是指父母外出务工、0至16周岁的未成年人。我们班是三年级，班上二十个孩子里有十二个留守儿童，小学三年级的孩子最想妈妈。",
            "primary",
        ),
        ("我园有三至六岁的幼儿一百二十名，小班、中班、大班各两个班。幼儿园的老师们每周给家长打一次电话。", "preschool"),
        # level words that name no one level: a list of levels, an adult's schooling
        ("村妇联主席只有初中文化，却把全村的孩子都登记在册：一个上初中，两个上小学，还有三个在家。", ""),
        ("县里在幼儿园、小学和初中都开展了“给爸爸妈妈写封信”活动，中小学和幼儿园的孩子们都写了信。", ""),
        # look-alike: a list within one level (普通高中和中职 are both upper secondary)
        ("全县普通高中和中职学校都配了心理老师，高中阶段的留守学生学业压力大。", "senior_secondary"),
    ],
)
def test_school_level_rules(text, level):
    assert tag_text(text)["school_level"] == level


def test_a_stated_present_level_is_given_with_its_own_evidence():
    text = "距离高考还有一百天了。我想起小学二年级的冬天，想起村小的泥巴操场。上初中以后，我一个月才回一次家。"
    level, conf, evidence = school_level_with_confidence(text)
    assert level == "senior_secondary" and conf >= 0.6 and evidence.startswith("present:")
    # two present levels (a pupil and her sister) decide nothing: the scores do, as before
    text = "我今年读三年级，姐姐现在读初二。我们姐妹俩跟着奶奶过。"
    assert school_level_with_confidence(text)[2].startswith("present") is False


def test_tag_essays_keeps_rows_and_adds_columns(seed):
    essays, _, sentences = seed
    out = tag_essays(essays.iloc[:2], sentences)
    assert list(out["essay_id"]) == list(essays["essay_id"].iloc[:2])
    assert set(TAG_COLUMNS) <= set(out.columns)
    # tagging twice replaces, not duplicates, the columns
    again = tag_essays(out, sentences)
    assert list(again.columns) == list(out.columns)


def test_cues_come_from_the_cue_file(tmp_path):
    text = NEW_ESSAYS["speech"][0]
    assert tag_text(text)["genre"] == "speech"
    from analysis.resources import load_yaml
    from analysis.methods.tag import load_tagging_cues

    import yaml

    raw = load_yaml("tagging_cues.yaml")
    raw = {
        **raw,
        "genre": {**raw["genre"], "labels": {k: v for k, v in raw["genre"]["labels"].items() if k != "speech"}},
    }
    path = tmp_path / "cues.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert tag_text(text, cues=load_tagging_cues(path))["genre"] != "speech"


def test_bad_cue_file(tmp_path):
    path = tmp_path / "cues.yaml"
    path.write_text("genre: {labels: {speech: [{pattern: '([unclosed'}]}}\n", encoding="utf-8")
    essays = pd.DataFrame({"essay_id": ["a"], "text": ["我是老师。"]})
    sentences = pd.DataFrame({"essay_id": ["a"], "sentence_id": ["a-s0001"], "text": ["我是老师。"]})
    with pytest.raises(ValueError, match="bad tagging cue file"):
        tag_essays(essays, sentences, cues_path=path)


@pytest.mark.parametrize(
    "essays, sentences",
    [
        (pd.DataFrame({"essay_id": ["a"]}), pd.DataFrame({"essay_id": ["a"], "sentence_id": ["s"], "text": ["x"]})),
        (pd.DataFrame({"essay_id": ["a"], "text": ["x"]}), pd.DataFrame({"essay_id": ["a"], "text": ["x"]})),
    ],
)
def test_tag_essays_missing_columns(essays, sentences):
    with pytest.raises(KeyError, match="lacks columns"):
        tag_essays(essays, sentences)


def test_tag_table_and_plot(seed_tags):
    table = tag_table(seed_tags.reset_index())
    assert len(table) == 10 and "genre_evidence" in table
    assert table.loc[table["essay_id"] == "seed-04", "places"].item() == "祁县、忠陈村"
    fig = plot_genre_counts(seed_tags)
    assert isinstance(fig, matplotlib.figure.Figure)
    matplotlib.pyplot.close(fig)


# ------------------------------------------------------------ structure ---
@pytest.mark.parametrize(
    "paragraph, expected",
    [
        ("一、诲人不倦，架心灵之桥", (1, "一、", 1, "诲人不倦，架心灵之桥")),
        ("三、细致入微，做孩子们的良师益友。认识“留守儿童”优点和缺点", (1, "三、", 3, "细致入微，做孩子们的良师益友")),
        ("（二）加强家校沟通", (2, "（二）", 2, "加强家校沟通")),
        ("- 2、由于不在父母身边，情感需求得不到满足。", (3, "2、", 2, "由于不在父母身边，情感需求得不到满足")),
        ("(3)定期家访", (4, "(3)", 3, "定期家访")),
        ("第二，要关心孩子的心理。", (1, "第二，", 2, "要关心孩子的心理")),
        ("1.5万名留守儿童参加了活动。", None),
        ("一个人能走多远，看他与谁同行。", None),
    ],
)
def test_find_heading(paragraph, expected):
    assert find_heading(paragraph) == expected


def test_structure_nesting():
    texts = [
        "引言。",
        "一、总体情况",
        "（一）基本做法",
        "1、建立档案",
        "2、定期家访",
        "（二）存在问题",
        "二、今后打算",
        "1、加强培训",
    ]
    paragraphs = pd.DataFrame({"essay_id": "e", "paragraph_id": [f"e-p{i:03d}" for i in range(1, 9)], "text": texts})
    out = structure(paragraphs)
    assert list(out["level"]) == [1, 2, 3, 3, 2, 1, 2]
    assert list(out["parent"]) == ["", "e-p002", "e-p003", "e-p003", "e-p002", "", "e-p007"]


def test_structure_seed(seed):
    out = structure(seed[1])
    e5 = out[out["essay_id"] == "seed-05"]
    assert list(e5["marker"]) == ["一、", "二、", "三、", "1、", "2、", "3、", "4、", "5、"]
    # the 1、–5、 list after section 三 nests under it
    third = e5.loc[e5["marker"] == "三、", "paragraph_id"].item()
    assert set(e5.loc[e5["level"] == 2, "parent"]) == {third}
    assert not (out["essay_id"] == "seed-10").any()


def test_structure_missing_column():
    with pytest.raises(KeyError, match="paragraph_id"):
        structure(pd.DataFrame({"essay_id": ["e"], "text": ["一、标题"]}))


# -------------------------------------------------------------- numbers ---
@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("班级学生有23人，其中留守儿童超过了65%。", [("23人", "count", 23.0), ("65%", "percent", 65.0)]),
        (
            "XX村共有1760人，496户，6岁以下的幼儿120人。",
            [("1760人", "count", 1760.0), ("496户", "count", 496.0), ("6岁", "age", 6.0), ("120人", "count", 120.0)],
        ),
        ("19XX年6月出生，20XX年加入中国共产党。", [("19XX年6月", "year", None), ("20XX年", "year", None)]),
        ("2015年9月，学校正式成立了。", [("2015年9月", "year", 2015.0)]),
        ("我们班共有二十八名学生，来自九所学校。", [("二十八名", "count", 28.0), ("九所", "count", 9.0)]),
        ("我跟随七十多岁的爷爷生活。", [("七十多岁", "age", 70.0)]),
        ("通过四百零二个日日夜夜。", [("四百零二个日日夜夜", "duration", 402.0)]),
        ("临走时，把300元钱交给胡家奶奶。", [("300元", "money", 300.0)]),
        ("这是10月17日的笔记。", [("10月17日", "date", None)]),
        ("农村这样的老人文盲率超过百分之七十。", [("百分之七十", "percent", 70.0)]),
        # idioms, ordinals and a bare 一 are not statistics
        ("良言一句三冬暖，恶语伤人六月寒。面对千百次艰难，他一举两得，在第一届运动会上一个劲地跑。", []),
    ],
)
def test_find_numbers(sentence, expected):
    got = [
        (r["text_span"], r["kind"], None if r["value"] != r["value"] else r["value"]) for r in find_numbers(sentence)
    ]
    assert got == expected


@pytest.mark.parametrize(
    "text, value",
    [
        ("1760", 1760.0),
        ("二十八", 28.0),
        ("十五", 15.0),
        ("四百零二", 402.0),
        ("1.2万", 12000.0),
        ("两", 2.0),
        ("留守", None),
    ],
)
def test_cn_number(text, value):
    assert cn_number(text) == value


def test_numbers_frame(seed):
    out = numbers(seed[2])
    assert list(out.columns[:6]) == ["essay_id", "sentence_id", "text_span", "kind", "value", "approx"]
    row = out[out["text_span"] == "1760人"].iloc[0]
    assert row["essay_id"] == "seed-02" and "1760人" in row["context"] and len(row["context"]) <= len("1760人") + 60
    with pytest.raises(KeyError, match="sentence_id"):
        numbers(pd.DataFrame({"essay_id": ["e"], "text": ["23人"]}))


# ------------------------------------------------ fast paths == plain pandas ---
def test_places_fast_path_equals_groupby_path(seed):
    from analysis.methods.entities import extract_entities
    from analysis.methods.tag import _places_fast, _places_grouped

    s = seed[2]
    ents = extract_entities(s)
    assert (ents["type"] == "place").any()
    assert _places_fast(s, ents) == _places_grouped(s, ents)
    shuffled = ents.sample(frac=1, random_state=5)
    assert _places_fast(s, shuffled) == _places_grouped(s, shuffled)


def test_structure_groups_like_groupby():
    paras = pd.DataFrame(
        {
            "essay_id": ["b", "a", "b", None, "a", "b"],
            "paragraph_id": ["b1", "a1", "b2", "x", "a2", "b3"],
            "text": ["一、总体情况", "（一）学校", "1、具体做法。后文", "二、不算", "（二）家庭", "二、问题"],
        }
    )
    out = structure(paras)
    parts = [structure(g) for _, g in paras.groupby("essay_id", sort=False)]
    pd.testing.assert_frame_equal(out, pd.concat(parts, ignore_index=True))
    assert structure(paras.iloc[0:0]).dtypes.tolist() == structure(paras.iloc[3:4]).dtypes.tolist()


def test_circled_number_heading_does_not_crash():
    assert find_heading("①加强家校联系。") == (5, "①", 1, "加强家校联系")
    paras = pd.DataFrame({"essay_id": ["e"] * 2, "paragraph_id": ["e-p1", "e-p2"], "text": ["一、做法", "②多谈心"]})
    assert structure(paras)[["level", "number"]].values.tolist() == [[1, 1], [2, 2]]


def test_framing_lines_are_headings_bylines_and_greetings():
    import pandas as pd

    from analysis.methods import tag

    rows = [
        ("p1", "小学四年级班主任：王老师"),  # byline: alone, short, no final mark
        ("p2", "一、诲人不倦，架心灵之桥"),  # a numbered heading on its own line
        ("p3", "二、扬长避短，用爱心为他们铺路。"),  # a heading run into its paragraph
        ("p3", "我一边耐心地给他们讲新课，一边利用中午的时间给他们补课。"),
        ("p4", "大家上午好！"),
        ("p5", "留守儿童超过了65%。"),  # a short statement is prose
        ("p6", "最后，祝大家中秋节快乐！"),
        ("p6", "谢谢大家"),
        ("p7", "三、组建优秀班集体，让集体的力量去感化引领他们，激发他们的学习兴趣和热情。"),  # too long for a heading
    ]
    sents = pd.DataFrame({"essay_id": "e", "paragraph_id": [r[0] for r in rows], "text": [r[1] for r in rows]})
    paras = sents.groupby("paragraph_id", sort=False)["text"].agg("".join).reset_index().assign(essay_id="e")
    flags = tag.framing_lines(sents, tag.structure(paras))
    assert flags.tolist() == [True, True, True, False, True, False, False, True, False]


def test_decisions_follow_the_model_when_sure_and_a_cue_decided_label_otherwise():
    """tagmodel.decisions is tag_text's rule on arrays (what calibrate cross-validates per writer)."""
    from analysis.methods import tagmodel

    classes = ["news_story", "speech", "work_summary"]
    p = np.array(
        [
            [0.70, 0.20, 0.10],  # sure (≥ 0.6): the model's news_story, though the rules said speech
            [0.45, 0.40, 0.15],  # unsure, a cue decided speech: speech stands
            [0.45, 0.40, 0.15],  # unsure, the rules found nothing (default): the model's news_story
            [0.34, 0.33, 0.33],  # barely given (≥ 0.3) and agrees with the rules
            [0.29, 0.29, 0.42],  # the rules' work_summary agrees with the model
        ]
    )
    rules = ["speech", "speech", "other", "news_story", "work_summary"]
    got = tagmodel.decisions(p, classes, rules, "other", sure=0.6)
    assert got.tolist() == ["news_story", "speech", "news_story", "news_story", "work_summary"]
    low = np.array([[0.28, 0.27, 0.29]])  # nothing reaches 0.3 and the rules found nothing
    assert tagmodel.decisions(low, classes, ["other"], "other", sure=0.6).tolist() == [tagmodel.UNCERTAIN]
    per = tagmodel.per_writer(
        np.array(["a", "b", "a", "a"]), np.array(["a", "a", "a", "b"]), np.array(["x", "x", "y", "y"])
    )
    assert per == {"per_folder": {"x": 0.5, "y": 0.5}, "mean": 0.5, "min": 0.5}


# ---------------------------------------- document forms: other (session 23) ---
# Texts written for these tests, not taken from any coded folder. `other` (the coding guide's catch-all) is
# recognised by the FORM of the document — a title line, header fields, a closing — not by what it is about.
FATHER_LETTER = (
    "给女儿小芳的一封信\n小芳：\n见字如面。爸爸在外面打工已经快两年了，一直想给你写封信，今天下了夜班终于坐下来写。"
    "你奶奶说你这学期当上了小组长，每天放学先写完作业再去喂鸡，爸爸听了心里特别高兴。厂里的活儿不算太累，就是"
    "想家。你要听奶奶的话，天冷了多穿衣服，有什么心里话就写下来，等爸爸过年回去一起看。\n爱你的爸爸\n十二月五日夜"
)
CHILD_LETTER = (
    "给爸爸妈妈的一封信\n亲爱的爸爸妈妈：\n你们好！我是你们的女儿小红。你们去外地打工已经一年了，我很想你们。"
    "奶奶常说，我的爸爸妈妈是为了我才出去打工的。"
    "我的成绩进步了，这次考试我考了全班第三名。奶奶的腿不太好，我每天帮她做饭、洗碗。我会好好学习，不让你们担心。"
    "\n此致\n敬礼！\n你们的女儿：小红\n三月八日"
)
PROPOSAL = (
    "“多陪一小时”倡议书\n全体家长朋友们：\n寒假就要到了，很多在外务工的父母即将回到家乡。为了让孩子们度过一个温暖的假期，"
    "我们倡议：一、每天放下手机，陪孩子一小时；二、和孩子一起读一本书、做一顿饭；三、返程前和孩子好好告别，约定"
    "通话的时间。让我们行动起来，把陪伴留给孩子。\n倡议单位：青禾镇妇女联合会\n2025年1月10日"
)
SURVEY = (
    "关于青禾镇留守儿童睡眠情况的调查报告\n一、调查对象与方法\n本次调查在青禾镇三所小学进行，共发放问卷六百份，"
    "回收有效问卷五百六十二份，样本覆盖三至六年级。\n二、调查结果\n每天睡眠不足九小时的留守儿童占42.5%，"
    "睡前使用手机的占百分之三十一。\n三、建议\n学校应合理安排作业量，监护人应管理好孩子睡前的手机使用。"
    "\n青禾镇教育调查组\n2025年5月"
)
HOME_VISIT_RECORD = (
    "家访记录\n家访时间：2025年3月15日下午\n家访地点：青禾镇白石村五组\n家访对象：五年级（2）班 周小军\n"
    "家访情况：小军父母都在外务工，与爷爷生活。爷爷反映孩子晚上看手机到很晚。我与爷爷约定每晚九点收手机。\n"
    "后续跟进：每周与小军谈话一次。\n记录人：班主任 何丽"
)
NOTICE = (
    "关于开展春季留守儿童家访活动的通知\n各班主任：\n为进一步了解留守儿童的学习和生活情况，经研究，学校决定于"
    "三月开展春季家访活动。请各班主任在三月底前完成本班留守儿童的家访，并填写家访记录表交德育处。\n特此通知。\n"
    "青禾镇中心小学德育处\n2025年3月1日"
)
GRANDMOTHER_REFLECTION = (
    "学做“新奶奶”——参加家长学校学习的几点体会\n我今年六十三岁，孙女在村小读二年级，她爸妈在外地打工。上个月我参加了"
    "镇上家长学校的学习，一共听了四次课。老师讲，带孩子不光是管吃管穿，还要多听孩子说话。以前孙女一哭我就骂，"
    "现在我先问她为什么哭。四次课听下来，我明白了带孙女也是一门学问。"
)
# the words of a document form mentioned in passing, inside a speech or a news story
SPEECH_WITH_PROPOSAL = (
    "尊敬的各位老师，亲爱的同学们：\n大家早上好！我是六年级一班的李明，今天我国旗下讲话的题目是《陪伴是最好的礼物》。"
    "我们班有一半同学的爸爸妈妈在外打工。在此，我向全校同学发出倡议：每周给远方的爸爸妈妈打一次电话，说说心里话。"
    "让我们一起努力，做懂事的好孩子！\n谢谢大家！"
)
NEWS_WITH_SURVEY = (
    "本报讯（记者 王华）近日，青禾镇妇联发出《关爱留守儿童倡议书》，号召全镇家长多陪伴孩子。据了解，该镇此前开展了"
    "一次问卷调查，结果显示，留守儿童中每天与父母通话的不足30%。3月12日，镇妇联还在中心小学举行了亲子阅读活动。"
    "记者在现场看到，孩子们和爷爷奶奶一起读绘本。"
)
NEWS_WITH_LETTER = (
    "本报讯 3月5日，青禾镇中心小学开展“一封家书”活动，全校留守学生给在外务工的父母写信。记者看到，五年级学生小雨在信的"
    "开头写道：“爸爸妈妈，见字如面。”据了解，学校将把这些信寄给孩子们的父母。"
)
WORK_SUMMARY_WITH_COURSE = (
    "本学期，我校留守儿童工作总结如下。一是办好家长学校，开设了四期祖辈家长培训班，组织监护人参加学习；二是建立"
    "留守儿童档案；三是开展了“亲情视频”活动。今后，我校将继续做好留守儿童关爱工作。"
)


def _other_cues():
    from analysis.methods.tag import load_tagging_cues, score_cues

    cues = load_tagging_cues()
    other = dict((label, c) for label, c, _ in cues.genre.labels)["other"]
    return lambda text: score_cues(text, other, window=cues.window)


@pytest.mark.parametrize(
    "text, quoted",
    [
        (FATHER_LETTER, ["给女儿小芳的一封信", "见字如面", "爱你的爸爸"]),
        (PROPOSAL, ["倡议书", "我们倡议", "倡议单位"]),
        (SURVEY, ["调查报告", "调查对象", "42.5%", "调查组"]),
        (HOME_VISIT_RECORD, ["家访记录", "家访时间：", "家访对象："]),
        (NOTICE, ["的通知", "特此通知"]),
    ],
)
def test_document_form_cues_fire_on_the_form(text, quoted):
    from analysis.methods.tag import _decide_genre

    score, hits = _other_cues()(text)
    found = "".join(q for _, q in hits)
    assert all(q in found for q in quoted), hits
    genre, evidence, decided = _decide_genre(text, person=decide_person(text)[0])
    assert (genre, decided) == ("other", True), evidence  # decided by its own cues, not left over
    assert evidence.startswith("other ")
    tags = tag_text(text)
    assert tags["genre"] == "other", tags["genre_evidence"]


@pytest.mark.parametrize(
    "text, genre",
    [
        (SPEECH_WITH_PROPOSAL, "speech"),  # 发出倡议 / 让我们 in a speech
        (NEWS_WITH_SURVEY, "news_story"),  # a 倡议书 and a 问卷调查 reported, a percentage
        (NEWS_WITH_LETTER, "news_story"),  # a letter and 见字如面 reported, past the opening
        (CHILD_LETTER, "self_narrative"),  # 此致 敬礼, but signed by the child: the child's own story
    ],
)
def test_document_form_cues_do_not_take_a_mention(text, genre):
    from analysis.methods.tag import load_tagging_cues

    score, hits = _other_cues()(text)
    assert score < load_tagging_cues().genre.min_score, hits
    assert tag_text(text, model=False)["genre"] == genre
    assert tag_text(text)["genre"] == genre


def test_a_grandparents_course_reflection_is_a_training_reflection():
    tags = tag_text(GRANDMOTHER_REFLECTION, model=False)
    assert tags["genre"] == "training_reflection", tags["genre_evidence"]
    assert "几点体会" in tags["genre_evidence"]
    assert tag_text(GRANDMOTHER_REFLECTION)["genre"] == "training_reflection"
    # a school's summary that organised courses for guardians is not a reflection on one
    assert tag_text(WORK_SUMMARY_WITH_COURSE, model=False)["genre"] == "work_summary"


def test_other_decided_by_its_cues_stands_against_an_unsure_model():
    from analysis.methods import tag, tagmodel

    # tag._blend: a cue-decided other stands below MODEL_SURE; a left-over other gives way
    assert tag._blend("other", "other 9: …", "speech", 0.45, "other", 0.6, True)[0] == "other"
    assert tag._blend("other", "no genre reached 3", "speech", 0.45, "other", 0.6, False)[0] == "speech"
    assert tag._blend("other", "other 9: …", "speech", 0.7, "other", 0.6, True)[0] == "speech"
    p = np.array([[0.45, 0.40, 0.15], [0.45, 0.40, 0.15]])
    got = tagmodel.decisions(
        p, ["speech", "other", "news_story"], ["other", "other"], "other", sure=0.6, found=[True, False]
    )
    assert got.tolist() == ["other", "speech"]


# Longer forms whose body shares the wording of a named genre (as the long essays of dev5, then test4, did):
# the rules and the session-22 model gave each the named genre; the form decides `other`.
PUPIL_PROPOSAL = (
    "“少玩手机，多陪家人”倡议书\n亲爱的同学们：\n你们好！我是五年级（2）班的班长张小雨。今天，我代表我们班的全体"
    "同学，向全校同学发出一个倡议。\n上个月，我们班做了一次小调查：全班四十五个同学里，有二十六个同学的爸爸妈妈在外地"
    "打工，平时和我们住在一起的是爷爷奶奶。可是很多同学放学回家就抱着手机玩游戏，爷爷奶奶叫吃饭也听不见。爸爸妈妈"
    "打来视频电话，有的同学说两句就挂了，又回去打游戏。\n同学们，爷爷奶奶年纪大了，他们最盼望的就是我们陪他们说说话；"
    "爸爸妈妈在远方辛苦工作，他们最想听的就是我们讲讲学校里的事。所以我们倡议：一、每天放学后先陪爷爷奶奶聊十分钟；"
    "二、周末玩手机不超过一小时；三、每周主动给爸爸妈妈打一次电话。\n让我们从今天做起，做一个懂事、贴心的好孩子！\n"
    "倡议人：五年级（2）班 张小雨\n四月八日"
)
MOTHER_LETTER = (
    "写给儿子的信\n阿强：\n见字如面。妈妈到城里的服装厂已经三年了，这是第一次给你写信。我今年三十五岁，小时候我家住在"
    "山那边的村子里，我的妈妈也出去打过工，我也是跟着外婆长大的。那时候我天天盼着过年，盼着妈妈回来，所以我知道你"
    "心里是什么滋味。\n上次视频的时候，你问我什么时候回家，我说快了，你就把脸转过去了。挂了电话，我在宿舍里哭了很久。"
    "厂里的活儿不轻，一天要站十个小时，可是想到你在学校得了奖状，我就觉得再累也值得。\n你外婆说你现在会自己洗衣服了，"
    "还会帮她烧火做饭。妈妈听了又高兴又心疼。儿子，你要好好吃饭，好好睡觉，有什么事就跟外婆说，跟老师说。过年我一定"
    "回去，带你去镇上买一双新球鞋。\n爱你的妈妈\n十月二十日夜"
)
SURVEY_REPORT = (
    "关于青禾镇留守儿童周末生活的调查报告\n一、调查对象与方法\n2024年5月10日至5月20日，县教育研究室在青禾镇开展了"
    "留守儿童周末生活调查活动，调查对象为镇上两所小学四至六年级的留守儿童。调查采用问卷与访谈相结合的方法，共发放"
    "问卷三百二十份，回收有效问卷三百零二份。\n二、调查结果\n周末主要在家看电视、玩手机的占61.3%；参加村里活动的"
    "不足10%；有近三成的孩子周末要帮家里干农活。访谈中，一名五年级女孩说，周末最盼望的就是妈妈打来电话。\n三、"
    "原因分析\n一是监护人年纪大，管不住；二是村里缺少适合孩子的活动场所；三是学校周末的活动很少。\n四、建议\n建议镇里"
    "利用村小空闲教室开设周末“儿童之家”，组织志愿者开展阅读、体育等活动。\n青禾镇留守儿童调查组\n2024年6月"
)
HOME_VISIT_JOURNAL = (
    "家访手记：小雨家的灯\n时间：2024年11月9日（星期六）\n地点：青禾镇白石村三组\n家访教师：刘敏（四年级（1）班班主任）\n"
    "本学期开学以来，我发现班上的小雨变了：上课常常发呆，作业也总是交不齐。我决定去她家看看。\n小雨家在半山腰，"
    "爸爸妈妈都在外地打工，她和七十多岁的奶奶住在一起。进门时天已经黑了，屋里只亮着一盏小灯，小雨正趴在灶台边写作业。"
    "奶奶拉着我的手说，孩子晚上总是哭着要妈妈。\n那天晚上，我和小雨聊了很久，还帮她和妈妈接通了视频。挂了电话，"
    "小雨第一次对我笑了。回学校的路上，我想，一次家访能做的事情不多，但能让孩子知道有人在关心她。\n（后续：11月20日，"
    "小雨妈妈打来电话，说每周六晚上都会和孩子视频。）"
)


@pytest.mark.parametrize(
    "text, named",
    [
        (PUPIL_PROPOSAL, "speech"),  # 亲爱的同学们, 我代表…, 让我们 — but a written proposal, signed
        (MOTHER_LETTER, "self_narrative"),  # a mother's own childhood — but her letter to her son
        (SURVEY_REPORT, "news_story"),  # dates, 开展…活动 — but a survey team's report
        (HOME_VISIT_JOURNAL, "work_summary"),  # 本学期, 家访 — but a teacher's record of one visit
    ],
    ids=["pupil_proposal", "mother_letter", "survey_report", "home_visit_journal"],
)
def test_long_document_forms_are_other_not_the_genre_whose_wording_they_share(text, named):
    rules = tag_text(text, model=False)
    assert rules["genre"] == "other" and rules["genre_evidence"].startswith("other "), rules["genre_evidence"]
    if text is MOTHER_LETTER:
        return  # the blend: see the next test
    tags = tag_text(text)
    assert tags["genre"] == "other", tags["genre_evidence"]


# an expected failure until the refit with dev7 and the adults' pieces of dev2 recoded other (session 23): the
# n-gram model was sure (0.74 ≥ MODEL_SURE 0.6) that a mother's letter telling her own childhood is self_narrative
def test_a_parents_letter_about_her_own_childhood_is_other_in_the_blend():
    assert tag_text(MOTHER_LETTER)["genre"] == "other"


def test_tuning_and_held_out_folders():
    # test4 became the tuning folder dev5 in session 23, test5 and test6 (each scored once there) the tuning
    # folders dev6 and dev7, test7 (scored once in session 23) the tuning folder dev8 in session 24; the stored
    # model was fitted on every tuning folder and on no held-out one
    from analysis.methods import tagmodel

    assert {"dev5", "dev6", "dev7", "dev8"} <= set(tagmodel.TUNING_FOLDERS)
    assert tagmodel.HELD_OUT_FOLDERS == ("test3", "test8")
    assert not set(tagmodel.TUNING_FOLDERS) & set(tagmodel.HELD_OUT_FOLDERS)
    model = tagmodel.load()
    assert model["tuning_folders"] == list(tagmodel.TUNING_FOLDERS)
    assert model["tuning_essays"] == len(tagmodel.load_coded(tagmodel.TUNING_FOLDERS)) == 378
    # a held-out folder not yet written (or not yet coded) is skipped, not an error
    assert tagmodel.load_coded(["no_such_folder"]) == []


# ------------------------------------- who speaks: the writer's role (session 23, after test5) ---
# Texts written for these tests, not taken from any coded folder. The narrator is read from the writer's stated
# ROLE (我是…医生, 我在县妇联工作, 我是…的妈妈, a class-and-name signature, a study group's byline), and from an
# adult present behind a recalled childhood; the genre `other` also from the forms of minutes, a letter of thanks
# and a poem's title line.
DOCTOR_REFLECTION = (
    "走进村小的半个月——义诊志愿服务心得体会\n今年暑假，县里组织医务人员到乡村学校开展义诊。我是青禾镇卫生院的一名"
    "儿科医生，报名参加了这次志愿服务。半个月里，我给三百多个孩子做了检查，通过这次活动，我深刻认识到，留守孩子缺的"
    "不只是药，更是一个能听他们说话的大人。一个四年级的男孩牙疼了一个月，一直没告诉奶奶。以后我打算每个月抽一天到学校"
    "开一次健康讲座，收获很大。\n青禾镇卫生院 儿科医生 周明"
)
FEDERATION_METHOD = (
    "如何帮助祖辈家长带好留守孙辈\n我在县妇联从事家庭教育指导工作已有十年，常到村里给爷爷奶奶们上家长课。我发现，老人们"
    "最犯难的是辅导作业和管手机。结合这些年的体会，我谈谈如何用对方法的几点策略。一、不会辅导作业，可以陪着孩子写；二、多表扬，少打骂，"
    "我常请老人们每天夸孩子一件事；三、给手机立规矩；四、常和班主任联系。我见过一位奶奶，每次去学校都带个小本子。"
    "只要方法得当，祖辈家长同样能把孩子带好。"
)
PARENT_THANKS = (
    "致青禾镇中心小学五年级（1）班老师的感谢信\n尊敬的学校领导，五年级（1）班的各位老师：\n你们好！我是五年级（1）班"
    "学生李小勇的爸爸，我和他妈妈在外地工地上干活已经五年了。孩子去年发高烧，是班主任王老师半夜把他送到医院。现在他"
    "每周主动给我们打电话，成绩也进步了。我们做父母的不在身边，是你们替我们照顾了孩子。千言万语，说不尽我们的感激。"
    "\n此致\n敬礼！\n学生家长：李小勇爸爸 李建国\n2025年6月1日"
)
MINUTES = (
    "青禾镇中心小学留守儿童工作会议纪要\n时间：2025年3月2日下午3:00\n地点：学校会议室\n主持人：校长 刘伟\n"
    "参会人员：全体教师\n记录人：教导主任 陈芳\n一、会议通报了本学期留守儿童摸底情况，全校共有留守儿童七十二人。\n"
    "二、会议决定：每位教师结对帮扶五名留守儿童，每月家访一次；3月10日前完成结对名单。\n青禾镇中心小学\n2025年3月3日"
)
STUDENT_GROUP_SURVEY = (
    "关于我校初二年级留守学生使用手机情况的调查报告\n青禾中学初二（3）班研究性学习小组\n小组成员：王磊、李婷、赵晨\n"
    "一、调查缘起\n我们班上很多同学的父母在外地打工，周末回家后常常一整天玩手机。我们小组决定做一次调查。\n二、调查方法\n"
    "我们在初二年级发放问卷二百份，回收有效问卷一百八十六份。\n三、调查结果\n每天玩手机超过三小时的占41.4%。\n四、建议\n"
    "希望学校周末开放阅览室。作为学生，我们也应该管好自己。\n指导教师：政治组 吴老师"
)
STUDENT_LECTURE = (
    "听心理讲座有感\n上周五，学校请来一位心理老师，给我们高一年级做了一场讲座。通过这次讲座，我学会了怎样调节自己的情绪。"
    "老师说，想家的时候可以写日记，也可以找朋友聊一聊。以前每次和爸爸妈妈打电话，我都只说“挺好的”。这次讲座以后，"
    "我试着把真实的感受告诉他们。这次讲座让我收获很大，我打算坚持写情绪日记。\n高一（5）班 林晓"
)
ADULT_MEMOIR = (
    "那些年，我在村口等车\n如今我已三十二岁，在城里一家工厂上班。前几天下夜班，看见一个小女孩站在路边等妈妈，我想起了"
    "小时候的自己。\n我七岁那年，爸爸妈妈去南方打工，我跟着爷爷奶奶在村里长大。每年腊月，我都要到村口等回家的大巴车，"
    "一等就是一下午。爷爷总是搬个小板凳陪我坐着。\n后来我上了镇里的中学，学会了自己洗衣服、自己做饭。现在爸爸妈妈回到了"
    "老家，我也有了自己的孩子。我常常想，那个在村口等车的小女孩，终于等到了。"
)
ADULT_PROSE_POEM = (
    "月亮照着的村庄（散文诗）\n一\n我是在月光下长大的孩子。月亮挂在山头，照着奶奶的白发，照着我写给远方的信。\n二\n"
    "每年春天，爸爸妈妈的背影消失在山路尽头，我站在田埂上，数着月亮圆了几回。\n三\n如今我在城里的工地上干活，夜里抬头，"
    "还是那一轮月亮。原来，它一直替我照着回家的路。"
)
PUPIL_POEMS = (
    "写给爸爸妈妈的组诗（三首）\n青禾小学 六年级（2）班 刘小雨\n一、电话\n每个星期天晚上\n奶奶的手机会响\n妈妈问我冷不冷\n"
    "我说不冷\n二、车站\n车开走了\n我还站在那里\n风把我的影子\n吹得很长\n三、过年\n门口的灯笼亮了\n我知道\n他们快回来了"
)
# look-alikes: a teacher who mentions a doctor, a pupil's speech, a child's own story, a pupil's thank-you letter,
# a teacher's letter signed with her class, a child's essay titled after poems
TEACHER_MENTIONS_DOCTOR = (
    "参加心理健康培训的几点体会\n我是青禾镇中心小学的一名班主任，班上有二十多个留守孩子。这次培训请来了县医院的一名医生"
    "给我们授课。医生说，孩子的很多小毛病，其实是心里的问题。通过这次培训，我深刻认识到，作为班主任，我要多和孩子谈心。"
    "回到学校后，我在班上设了一个悄悄话信箱，收获很大。"
)
STUDENT_SPEECH = (
    "尊敬的各位老师，亲爱的同学们：\n大家好！我是一名留守儿童，在五年级（2）班读书。我的妈妈在外地的医院当护士，爸爸在工地上干活，"
    "我和奶奶住在一起。今天我演讲的题目是《我不孤单》。每天放学，我都先帮奶奶做饭，再写作业。老师和同学们的关心，"
    "让我不再孤单。\n谢谢大家！"
)
CHILD_STORY = (
    "我的奶奶\n我今年十一岁，在青禾村小读五年级。我的爸爸妈妈在外地打工，我是奶奶带大的。奶奶每天早上五点就起床给我"
    "做饭。长大以后我想当一名医生，给奶奶看病。我是奶奶的开心果，也是爸爸妈妈的骄傲。"
)
PUPIL_THANKS = (
    "给王老师的感谢信\n亲爱的王老师：\n您好！我是五年级（1）班的李小勇，我今年十一岁。去年我发高烧，是您半夜把我送到医院。"
    "我的爸爸妈妈在外地打工，是您像妈妈一样照顾我。我一定好好学习，不让您失望。\n此致\n敬礼！\n您的学生：李小勇\n六月一日"
)
TEACHER_CLASS_LETTER = (
    "致家长的一封信\n尊敬的家长朋友：\n寒假就要到了。我是孩子们的班主任，本学期我班有十九名留守儿童。请您每天和孩子通一次"
    "电话，督促孩子按时完成寒假作业，注意用电、用火和防溺水安全。\n五年级（2）班 班主任 刘敏\n2025年1月10日"
)
CHILD_POEM_ESSAY = (
    "我爱诗歌\n我是一名留守儿童，今年在村小读四年级。我的爸爸妈妈在外地打工，我和爷爷住在一起。我最喜欢读诗，"
    "每天晚上我都给爷爷读一首。爷爷说，等爸爸妈妈回来，让我读给他们听。"
)


def _narrator_rules(text):
    from analysis.methods.tag import _decide_genre, _decide_narrator

    person = decide_person(text)[0]
    genre = _decide_genre(text, person=person)[0]
    return _decide_narrator(text, person=person, genre=genre)


# what the rules said before these cues: the genre's bonus or 我校 made a teacher, nothing (left over) an adult
@pytest.mark.parametrize(
    "text, narrator, quoted",
    [
        (DOCTOR_REFLECTION, "other", "一名儿科医生"),  # training_reflection: was teacher
        (FEDERATION_METHOD, "other", "县妇联从事"),  # method_essay: was teacher
        (PARENT_THANKS, "other", "李小勇的爸爸"),  # a speech's salutation: was teacher
        (ADULT_MEMOIR, "other", "如今我已三十二岁"),  # a recalled childhood: was left over (the model: student)
        (STUDENT_GROUP_SURVEY, "student", "研究性学习小组"),  # 我校: was teacher
        (STUDENT_LECTURE, "student", "高一（5）班 林晓"),  # training_reflection: was teacher
    ],
    ids=["doctor", "federation_worker", "parent_thanks", "adult_memoir", "student_group", "student_lecture"],
)
def test_the_writers_stated_role_decides_the_narrator(text, narrator, quoted):
    got, evidence, found = _narrator_rules(text)
    assert (got, found) == (narrator, True), evidence  # decided by its cues, not left over
    assert quoted in evidence
    if text in (FEDERATION_METHOD, PARENT_THANKS, ADULT_MEMOIR):
        return  # the blend: see the next test
    tags = tag_text(text)
    assert tags["narrator"] == narrator, tags["narrator_evidence"]


_BLEND_OVERRULES = pytest.mark.xfail(
    strict=True,
    reason="known limit (session 23, refit on dev6): on these short invented texts the blend is sure (0.52–0.62 ≥ "
    "MODEL_SURE 0.5) of a teacher or a student and overrules the role the rules read; a higher threshold for a "
    "narrator its own cues decide was checked writer by writer: it changed one tuning essay (dev6/u40) at 0.6–0.8, "
    "and at 0.9 also dev2/e08, a nurse's memoir like u40 then coded student, so none was added",
)


# the parent and the memoir pass since the refit with dev7 and the adults' pieces of dev2 recoded other (session 23)
@pytest.mark.parametrize(
    "text",
    [pytest.param(FEDERATION_METHOD, marks=_BLEND_OVERRULES), PARENT_THANKS, ADULT_MEMOIR],
    ids=["federation", "parent", "memoir"],
)
def test_a_stated_role_in_the_blend(text):
    assert tag_text(text)["narrator"] == "other"


@pytest.mark.parametrize(
    "text, narrator",
    [
        (TEACHER_MENTIONS_DOCTOR, "teacher"),  # a doctor taught the course; the writer is a head teacher
        (STUDENT_SPEECH, "student"),  # 妈妈…当护士, 爸爸在工地上干活: the pupil's parents, not the pupil
        (CHILD_STORY, "student"),  # 我今年十一岁, 长大以后我想当一名医生, 我是奶奶的开心果
        (PUPIL_THANKS, "student"),  # a thank-you letter signed by the pupil
        (TEACHER_CLASS_LETTER, "teacher"),  # a class and a name signing, but the head teacher's
    ],
    ids=["teacher_mentions_doctor", "student_speech", "child_story", "pupil_thanks", "teacher_class_letter"],
)
def test_role_cues_do_not_take_a_look_alike(text, narrator):
    from analysis.methods.tag import load_tagging_cues, score_cues

    cues = load_tagging_cues()
    other = dict((label, c) for label, c, _ in cues.narrator.labels)["other"]
    if narrator != "other":
        assert score_cues(text, other, window=cues.window)[0] == 0
    if narrator == "teacher":
        student = dict((label, c) for label, c, _ in cues.narrator.labels)["student"]
        assert score_cues(text, student, window=cues.window)[0] == 0
    assert _narrator_rules(text)[0] == narrator
    assert tag_text(text)["narrator"] == narrator


@pytest.mark.parametrize(
    "text, quoted",
    [
        (PARENT_THANKS, ["感谢信", "学生家长："]),
        (MINUTES, ["会议纪要", "主持人：", "记录人："]),
        (ADULT_PROSE_POEM, ["（散文诗）"]),
        (PUPIL_POEMS, ["组诗（三首）"]),
    ],
    ids=["parent_thanks", "minutes", "prose_poem", "pupil_poems"],
)
def test_minutes_thanks_and_poems_are_other_by_their_form(text, quoted):
    from analysis.methods.tag import _decide_genre

    score, hits = _other_cues()(text)
    found = "".join(q for _, q in hits)
    assert all(q in found for q in quoted), hits
    genre, evidence, decided = _decide_genre(text, person=decide_person(text)[0])
    assert (genre, decided) == ("other", True), evidence
    tags = tag_text(text)
    assert tags["genre"] == "other", tags["genre_evidence"]


@pytest.mark.parametrize(
    "text, genre",
    [
        (PUPIL_THANKS, "self_narrative"),  # 感谢信, 此致 — but signed 您的学生: a child's letter is its own story
        (CHILD_POEM_ESSAY, "self_narrative"),  # 诗歌 in the title of a child's own story
        (STUDENT_SPEECH, "speech"),
    ],
    ids=["pupil_thanks", "child_poem_essay", "student_speech"],
)
def test_form_cues_for_thanks_and_poems_do_not_take_a_look_alike(text, genre):
    from analysis.methods.tag import load_tagging_cues

    score, hits = _other_cues()(text)
    assert score < load_tagging_cues().genre.min_score, hits
    assert tag_text(text, model=False)["genre"] == genre


def test_a_narrator_decided_by_its_cues_stands_against_an_unsure_model():
    from analysis.methods import tag

    # the narrator `other` decided by a role cue stands below MODEL_SURE; a left-over `other` gives way
    assert tag._blend("other", "“我是…医生”", "teacher", 0.45, "other", 0.5, True)[0] == "other"
    assert tag._blend("other", "first person, no narrator cue", "teacher", 0.45, "other", 0.5, False)[0] == "teacher"
    assert tag.decide_narrator(DOCTOR_REFLECTION, person="first", genre="training_reflection")[0] == "other"


# ---------------------- how the level, the speech and the speaker are stated (session 24, after test7) ---
# Invented texts, none taken from a coded folder. Every positive case fails on the code before these rules; the
# look-alikes keep their tag on both.
@pytest.mark.parametrize(
    "text, level",
    [
        # children of every age, an age in words written 两 (最小的两岁), or an age followed by its stage (一岁多的婴儿)
        ("全村留守儿童二十八人，最小的两岁，最大的十四岁。村里的幼儿园只有一个班，幼儿园的老师也是村里人。", ""),
        (
            "全乡留守儿童年龄从一岁多的婴儿到十五周岁的少年不等。乡里在幼儿园和村小各设了一个亲情聊天室，幼儿园每周开放两次。",
            "",
        ),
        # children of every age by their stages, without numbers: a span, or a list of who is there
        (
            "从镇上的幼儿园到县城的高中，每所学校都为留守孩子建了档案。高中的心理老师每周值班，高中生可以随时去谈心。",
            "",
        ),
        ("这次走访覆盖了从学前到初中的各个学段。初中的寄宿生最多，初中部的宿舍每晚都有老师查寝。", ""),
        ("这些孩子中，有刚会走路的幼儿，也有正在读初中的少年。幼儿园的孩子由奶奶接送，幼儿园离家有三里路。", ""),
        # a list that names every level at once (各级学校和幼儿园) is no level
        ("县教育局要求各级学校和幼儿园为留守儿童建档，各级学校和幼儿园每月上报一次结对帮扶情况。", ""),
        # a vocational course's year and class; a bare year in the present by a writer at a vocational school
        (
            "大家好！我是电子商务专业二年级（2）班的张小兵。我从小学三年级起就跟着奶奶过，小学毕业后在镇上读书，那时我最怕开家长会。",
            "senior_secondary",
        ),
        (
            "我从小学一年级起就是留守儿童，小学五年级那年奶奶病了。后来我考进了县职业中专，学的是数控。我现在是三年级的学生，"
            "明年就要去工厂实习了。",
            "senior_secondary",
        ),
        # look-alikes: one child's own path through the stages (我), stages within the young years, a sibling's
        # vocational school, 小学 before the year
        (
            "从幼儿园到初中，我一直跟着奶奶生活。现在我在镇中学读初三，中考就要到了，初三的晚自习要上到九点。",
            "junior_secondary",
        ),
        ("小雨在县一中读高二，高中的功课很紧，高考就在明年。她从幼儿园到初中都是奶奶接送。", "senior_secondary"),
        ("幼小衔接很重要。从幼儿园到小学，大班的孩子要学会整理书包，幼儿园的老师每天带他们练习。", "preschool"),
        (
            "我现在是三年级的学生，在村小上学。哥哥在县职中学汽修，一个月才回来一次，小学的作业都是奶奶看着我写。",
            "primary",
        ),
        ("我现在读小学二年级。姐姐在我们县职高学烹饪，周末回家给我做饭，她说小学的时候她也是奶奶带大的。", "primary"),
        # an age range within one level, written 两 (最小的两岁…最大的五岁)
        ("我们幼儿园的孩子最小的两岁半，最大的五岁，小班的孩子午睡时最想妈妈。", "preschool"),
    ],
    ids=[
        "liang_sui",
        "age_then_stage",
        "span_kindergarten_to_high_school",
        "span_preschool_to_junior",
        "list_of_stages",
        "every_level",
        "vocational_class",
        "vocational_bare_year",
        "own_path_first_person",
        "one_childs_path_third_person",
        "stages_within_young_years",
        "siblings_vocational_school",
        "xiaoxue_before_year",
        "liang_sui_within_preschool",
    ],
)
def test_how_the_level_is_stated(text, level):
    got = tag_text(text)
    assert got["school_level"] == level, got["school_level_evidence"]


SPEECH_AT_MEETING = (
    "在全镇留守儿童关爱工作推进会上的讲话\n同志们：\n今天召开这个会，主要是总结上半年工作，部署下一步任务。上半年，"
    "全镇建立了留守儿童档案，开展了结对帮扶活动，取得了明显成效。但也存在一些问题，有的村儿童之家常年不开门。"
    "下一步，各村要压实监护责任，守住安全底线。\n谢谢大家。"
)
NEWS_OF_A_SPEECH = (
    "县长在全县关爱留守儿童推进会上发表讲话\n本报讯（记者 王明）3月5日，全县关爱留守儿童工作推进会召开。县长在会上"
    "发表讲话，要求各乡镇压实监护责任。据了解，全县今年已建成儿童之家四十个，开展结对帮扶活动一百余次。"
)
DOCTOR_QA = (
    "宝宝夜里总哭怎么办——儿科医生答疑\n镇卫生院 儿科 李芳\n很多爷爷奶奶带孩子时有不少疑问，下面是问得最多的几个。\n"
    "问一：孩子晚上总哭醒，是不是病了？\n答：先看看有没有发烧，多数是白天玩得太兴奋。\n问二：孩子不爱吃青菜怎么办？\n"
    "答：把菜切碎拌在饭里，大人带头吃。\n问三：孩子总要看手机怎么办？\n答：每天定好时间，多陪孩子在院子里玩。"
)
NEWS_WITH_QA = (
    "专家进村为留守家庭答疑解惑\n本报讯 近日，县妇幼保健院的医生来到某村，为留守儿童的爷爷奶奶答疑解惑。活动现场，"
    "医生们耐心解答老人们提出的问题，并为孩子们做了体检。据悉，此类活动今年已开展十余次。"
)


@pytest.mark.parametrize(
    "text, genre, quoted",
    [
        (SPEECH_AT_MEETING, "speech", ["推进会上的讲话", "同志们："]),  # was work_summary (成效, 下一步)
        (DOCTOR_QA, "other", ["医生答疑", "问一："]),  # numbered questions under a title ending 答疑
    ],
    ids=["speech_title_and_salutation", "qa_title_and_numbered_questions"],
)
def test_the_documents_form_decides_speech_and_qa(text, genre, quoted):
    from analysis.methods.tag import _decide_genre

    got, evidence, decided = _decide_genre(text, person=decide_person(text)[0])
    assert (got, decided) == (genre, True), evidence
    assert all(q in evidence for q in quoted), evidence
    assert tag_text(text)["genre"] == genre


@pytest.mark.parametrize(
    "text, genre",
    [
        (NEWS_OF_A_SPEECH, "news_story"),  # a headline that reports a speech (发表讲话), not a speech's title line
        (NEWS_WITH_QA, "news_story"),  # 答疑解惑 in a news headline and text, no question lines
    ],
    ids=["news_of_a_speech", "news_with_qa"],
)
def test_speech_and_qa_forms_do_not_take_a_look_alike(text, genre):
    assert tag_text(text, model=False)["genre"] == genre
    assert tag_text(text)["genre"] == genre


VILLAGE_PLAN = (
    "某村2025年暑期留守儿童托管活动方案\n为解决暑假期间我村留守儿童无人看管的问题，经村两委研究，决定开办暑期托管班。\n"
    "一、活动目的\n让孩子们度过一个安全、快乐的暑假。\n二、活动时间\n7月10日至8月20日，每周一至周五。\n三、活动内容\n"
    "作业辅导、安全教育、亲情视频。\n某村民委员会\n2025年6月20日"
)
SCHOOL_PROPOSAL = (
    "“暑期防溺水”倡议书\n全校家长朋友们：\n暑假即将到来，为了孩子的安全，特向各位家长发出如下倡议：一、时刻关注孩子去向；"
    "二、不让孩子独自到河边玩耍；三、每周与孩子谈一次心。让我们携起手来，守护孩子平安度过假期。\n某镇中心小学\n2025年7月1日"
)
TEAM_SURVEY = (
    "某镇留守儿童课余生活调查报告\n调查组于2025年5月在某镇三所小学发放问卷三百份，回收有效问卷二百八十份。调查显示，"
    "百分之六十的孩子放学后由祖辈照看，百分之三十的孩子周末主要看电视。建议学校开放图书室。\n某镇留守儿童调查组\n2025年6月"
)
NEWS_SIGNED = (
    "某县妇联开展“六一”关爱活动\n近日，某县妇联组织志愿者来到某村小，为留守儿童送去图书和文具。活动中，志愿者们和孩子们"
    "一起做游戏、画画。据悉，县妇联今年还将开展结对帮扶活动。\n某县妇女联合会"
)
OFFICIAL_SPEECH = (
    "在全乡留守儿童工作会上的讲话\n同志们：\n今天我们召开这个会，就是要把关爱留守儿童的工作抓实。各村要摸清底数，"
    "建好档案；我们乡里也要加大投入，让儿童之家真正开起门来。希望大家回去以后抓好落实。\n谢谢大家！"
)
PRINCIPAL_SPEECH = (
    "在新学期开学典礼上的讲话\n老师们、同学们：\n大家好！新学期开始了，我代表学校欢迎大家回到校园。我校有留守学生一百二十人，"
    "我们每一位老师都是他们的亲人。希望同学们好好学习，老师们关心每一个孩子。\n谢谢大家！"
)


@pytest.mark.parametrize(
    "text, narrator, quoted",
    [
        (VILLAGE_PLAN, "other", "signed: “某村民委员会”"),  # was third_party (third person, other)
        # was third_party: a school writing as itself (the blend, sure of `other` at 0.83, would overrule it: a
        # narrator read from a signature line stands)
        (SCHOOL_PROPOSAL, "teacher", "signed: “某镇中心小学”"),
        (OFFICIAL_SPEECH, "other", "同志们："),  # was teacher (a speech's bonus)
    ],
    ids=["village_committee_plan", "school_proposal", "official_speech"],
)
def test_who_speaks_by_the_signature_and_the_salutation(text, narrator, quoted):
    got, evidence, found = _narrator_rules(text)
    assert (got, found) == (narrator, True), evidence
    assert quoted in evidence
    assert tag_text(text)["narrator"] == narrator


@pytest.mark.parametrize(
    "text, narrator",
    [
        (TEAM_SURVEY, "third_party"),  # a survey team signing stays an impersonal third party
        (NEWS_SIGNED, "third_party"),  # a news item, not a document: its signature line does not make it a voice
        (PRINCIPAL_SPEECH, "teacher"),  # 老师们、同学们 — a principal's speech
    ],
    ids=["survey_team", "news_signed_by_federation", "principal_speech"],
)
def test_signature_and_salutation_do_not_take_a_look_alike(text, narrator):
    assert _narrator_rules(text)[0] == narrator
    assert tag_text(text)["narrator"] == narrator


def test_a_narrator_read_from_a_signature_stands_against_a_sure_model():
    from analysis.methods import tag, tagmodel

    cues = tag.load_tagging_cues()
    assert tag._signed_narrator(SCHOOL_PROPOSAL, "other", cues) == ("teacher", "某镇中心小学")
    assert tag._signed_narrator(SCHOOL_PROPOSAL, "speech", cues) is None  # only a document (the genre other)
    assert tag._signed_narrator(TEAM_SURVEY, "other", cues) is None  # a survey team is no voice of its own
    # calibrate's writer-by-writer decision does as tag_text: the model, sure of `other`, does not overrule it
    p = np.array([[0.83, 0.17], [0.83, 0.17]])
    got = tagmodel.decisions(p, ["other", "teacher"], ["teacher", "teacher"], "other", sure=[0.5, np.inf])
    assert got.tolist() == ["other", "teacher"]
    tags = tag_text(SCHOOL_PROPOSAL)
    assert tags["narrator"] == "teacher" and tags["narrator_evidence"].startswith("rules (model other")
