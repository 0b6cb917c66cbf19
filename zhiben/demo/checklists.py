"""Industry checklists the demo departments keep besides their general list, with each item's source as data.

A department's inspection of a unit brings its list for the unit's kind and industry (standards.checklists.
checklist_for), so 住建局 visits a self-built house with the 经营性自建房 list, not the construction-site one.
Items whose rule was not checked against the original text carry 待核实 for the department to confirm.
"""

from __future__ import annotations

from typing import NamedTuple

SOURCE_SELFBUILT = "国务院办公厅《全国自建房安全专项整治工作方案》（国办发明电〔2022〕10号）"
SOURCE_FIRE_LAW = "《中华人民共和国消防法》第二十八条"
SOURCE_GAS = "《城镇燃气管理条例》（国务院令第583号）"
UNVERIFIED = "待核实"


class Item(NamedTuple):
    text: str
    source: str
    verified: bool = True

    def line(self) -> str:
        flag = f"【{UNVERIFIED}】" if not self.verified else ""
        return f"{self.text}（依据：{self.source}）{flag}"


class IndustryList(NamedTuple):
    department: str  # Department.code
    industry: str  # Industry.code
    name: str
    description: str
    items: tuple[Item, ...]


SELF_BUILT_HOUSE = IndustryList(
    department="housing",
    industry="SELFBUILT",
    name="经营性自建房安全检查表",
    description=(
        f"用于经营性自建房（民宿、餐饮、棋牌室、出租屋、小作坊等）的检查。依据：{SOURCE_SELFBUILT}；"
        f"{SOURCE_FIRE_LAW}；{SOURCE_GAS}。标注【{UNVERIFIED}】的条目未逐条核对原文，请住建局核实后修改。"
    ),
    items=(
        Item("房屋结构安全：承重墙、梁、柱、楼板有无开裂、变形、倾斜、不均匀沉降", SOURCE_SELFBUILT),
        Item("违法建设：是否擅自加层、扩建，是否拆改承重墙、梁、柱等主体结构", SOURCE_SELFBUILT),
        Item(
            "擅自改变用途：是否擅自将住宅改作经营用途（棋牌室、民宿、餐饮等）而未办理相关手续",
            SOURCE_SELFBUILT,
        ),
        Item(
            "房屋安全鉴定：3层及以上、人员密集或经改扩建的经营性自建房是否有房屋安全鉴定合格的结论",
            SOURCE_SELFBUILT,
            verified=False,
        ),
        Item("消防通道和疏散：疏散通道、安全出口、消防车通道是否被占用、堵塞、封闭", SOURCE_FIRE_LAW),
        Item(
            "门窗障碍物：人员密集场所门窗是否设置防盗网、广告牌等影响逃生和灭火救援的障碍物", SOURCE_FIRE_LAW
        ),
        Item(
            "燃气使用：液化气钢瓶是否来自有经营许可的供应站，是否使用合格连接软管、安装燃气泄漏报警装置",
            SOURCE_GAS,
            verified=False,
        ),
        Item(
            "电气线路：是否私拉乱接、超负荷用电，线路是否穿管保护，是否在楼道或室内为电动自行车充电",
            "各地自建房安全排查的通行检查项，具体条款待住建局补充",
            verified=False,
        ),
        Item(
            "安全责任：房屋产权人、使用人是否明确房屋安全责任并开展日常检查", SOURCE_SELFBUILT, verified=False
        ),
    ),
)

# Department code → the industry (Industry.code) its main demo list is built for; unlisted: a general list.
MAIN_LIST_INDUSTRY: dict[str, str] = {"housing": "CONSTRUCTION"}

INDUSTRY_LISTS: tuple[IndustryList, ...] = (SELF_BUILT_HOUSE,)
