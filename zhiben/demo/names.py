"""Word lists for believable synthetic names (人名、字号、地名). Tuples, never sets: iteration order must be fixed."""

from __future__ import annotations

import random

# Common surnames, weighted towards those frequent in 湖南 (李、刘、陈、彭、谭、罗、曾、易…).
SURNAMES = (
    "李李李刘刘刘陈陈陈王王张张周周彭彭谭谭罗罗黄唐邓邓曾曾易胡杨何袁吴赵徐孙"
    "朱郭高林郑梁谢宋许韩冯曹肖田董潘蒋蔡余杜叶程苏魏丁任姚卢钟陆汪范金石廖"
    "贾夏付方邹熊秦江尹段雷侯龙史陶黎贺顾毛龚邵严覃戴莫向汤文欧柳喻颜左"
)
GIVEN_CHARS = (
    "伟芳敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华辉鹏斌林波红玲燕文国春海亮"
    "宇浩建志红兵德富贵云峰武智慧凤兰梅菊新荣清福生宏光俊彬琴莉佳雪龙飞湘洪"
)

# 字号: two-character brand words common on Chinese shop signs and company registrations.
BRANDS = (
    "宏达",
    "鑫源",
    "顺发",
    "华兴",
    "金穗",
    "恒通",
    "兴旺",
    "永盛",
    "瑞丰",
    "隆昌",
    "德胜",
    "嘉禾",
    "润泽",
    "联创",
    "天宇",
    "众鑫",
    "富民",
    "长盛",
    "佳美",
    "新亚",
    "广源",
    "金阳",
    "宏运",
    "盛世",
    "和顺",
    "正大",
    "祥瑞",
    "万家",
    "好邻",
    "利民",
    "诚信",
    "汇丰",
    "博远",
    "湘源",
    "楚天",
    "湘江",
    "洞庭",
    "汨水",
    "蓝天",
    "绿源",
    "金桥",
    "福星",
    "鸿泰",
    "宏图",
    "中汇",
    "聚力",
    "安泰",
    "泰和",
    "君安",
    "康达",
    "恒泰",
    "信达",
    "鼎盛",
    "益民",
    "惠民",
    "兴隆",
    "双赢",
    "丰收",
    "金禾",
    "稻香",
    "荷香",
    "兰亭",
    "龙腾",
    "凤祥",
    "旺旺",
    "家乐",
    "红星",
    "东方",
    "大唐",
    "新宇",
    "永兴",
    "振华",
    "铭泰",
    "锦程",
    "中兴",
    "凯旋",
    "华美",
    "恒信",
    "昌盛",
    "光明",
    "腾飞",
    "远航",
    "晨光",
    "朝阳",
    "宏发",
    "盛达",
    "合力",
    "立新",
    "创新",
    "华丰",
)

# Chinese numerals for project phases and village groups.
NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")

# Synthetic place words for benchmark counties, townships and villages: Hunan-style landforms (塘、冲、垸、铺…).
# None of them can form 天问/营田/河市/凤凰, so the real townships' names stay unique (personas look them up).
PLACE_FIRST = "青白金石松竹枫桂梅柳杉樟桃杏茶荻芦菱"
PLACE_SECOND = "湾岭坪塘冲坡洲港桥铺垸畈"

STREET_WORDS = (
    "建设",
    "人民",
    "解放",
    "新华",
    "文化",
    "学府",
    "民主",
    "团结",
    "迎宾",
    "滨江",
    "兴业",
    "长安",
)


def person_name(rng: random.Random) -> str:
    """A plausible two- or three-character Chinese personal name."""
    given = rng.choice(GIVEN_CHARS)
    if rng.random() < 0.8:
        given += rng.choice(GIVEN_CHARS)
    return rng.choice(SURNAMES) + given


def mobile_phone(rng: random.Random) -> str:
    """An 11-digit mainland mobile number (13x/15x/17x/18x/19x)."""
    return f"1{rng.choice('35789')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"


def place_word(rng: random.Random) -> str:
    return rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND)
