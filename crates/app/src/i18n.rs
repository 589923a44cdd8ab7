//! The page's interface text in English and Chinese (the course is Chinese), all in one place.
//!
//! Only the page's own words are translated: labels, buttons, hints and headings. What the
//! cluster says stays exactly as the model prints it in either language: kubectl output, object
//! names, event reasons and messages, STATUS values, kinds, plugin names and the inspector's
//! explanations, so that a learner reads the same words a real cluster would show.

/// An interface language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// The hint button while `left` hints are still hidden.
    pub fn hints_left(self, left: usize) -> String {
        match self {
            Lang::En => format!("Hint ({left} left)"),
            Lang::Zh => format!("提示（还有 {left} 条）"),
        }
    }

    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The language for a BCP 47 tag such as `navigator.language`: Chinese for any `zh` tag
    /// (`zh`, `zh-CN`, `zh-Hans-CN`, `zh-TW`), English for everything else.
    pub fn from_tag(tag: &str) -> Lang {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("zh") { Lang::Zh } else { Lang::En }
    }

    /// The tag for `<html lang>`, which also picks the right CJK glyphs.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The switch's label for this language, written in the language itself.
    pub fn label(self) -> &'static str {
        match self {
            Lang::En => "EN",
            Lang::Zh => "中文",
        }
    }

    /// The fixed strings.
    pub fn text(self) -> &'static Text {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }

    /// The speed time actually plays at when the cluster is too large for the chosen one.
    pub fn pace(self, speed: f64) -> String {
        match self {
            Lang::En => format!("playing at {speed:.1}x"),
            Lang::Zh => format!("实际速度 {speed:.1}x"),
        }
    }

    pub fn next_event_at(self, clock: &str) -> String {
        match self {
            Lang::En => format!("next event at {clock}"),
            Lang::Zh => format!("下一个事件：{clock}"),
        }
    }

    pub fn apply_title(self, path: &str) -> String {
        match self {
            Lang::En => format!("kubectl apply -f {path} (Ctrl+Enter in the editor)"),
            Lang::Zh => format!("kubectl apply -f {path}（在编辑器中按 Ctrl+Enter）"),
        }
    }

    pub fn editing(self, path: &str) -> String {
        match self {
            Lang::En => format!("Editing {path}"),
            Lang::Zh => format!("正在编辑 {path}"),
        }
    }

    /// After [`Lang::pending_title`] when only the first pending pods are drawn.
    pub fn pending_drawn(self, drawn: usize) -> String {
        match self {
            Lang::En => format!(" (the first {drawn} are drawn)"),
            Lang::Zh => format!("（只画出前 {drawn} 个）"),
        }
    }

    pub fn pending_title(self, count: usize) -> String {
        match self {
            Lang::En => format!("Pending: {count} pod{} waiting to be scheduled", if count == 1 { "" } else { "s" }),
            Lang::Zh => format!("Pending：{count} 个 Pod 等待调度"),
        }
    }

    /// A pod tile's accessible name (the tile shows the same as text).
    pub fn pod_label(self, name: &str, status: &str, ready: &str, restarts: i32) -> String {
        match self {
            Lang::En => format!("Pod {name}: {status}, ready {ready}, restarts {restarts}. Press Enter to inspect."),
            Lang::Zh => format!("Pod {name}：{status}，就绪 {ready}，重启 {restarts} 次。按 Enter 查看详情。"),
        }
    }

    /// A node box's accessible name.
    pub fn node_label(self, name: &str, status: &str, pods: usize) -> String {
        match self {
            Lang::En => format!("Node {name}: {status}, {pods} pods. Press Enter to inspect."),
            Lang::Zh => format!("节点 {name}：{status}，{pods} 个 Pod。按 Enter 查看详情。"),
        }
    }

    /// A node box's tooltip.
    pub fn node_title(self, name: &str, status: &str, pods: usize) -> String {
        match self {
            Lang::En => format!("{name}: {status} ({pods} pods)"),
            Lang::Zh => format!("{name}：{status}（{pods} 个 Pod）"),
        }
    }

    /// The controlling owner in a pod's tooltip, e.g. `ReplicaSet/web-5d78c6b9f`.
    pub fn owned_by(self, owner: &str) -> String {
        match self {
            Lang::En => format!("owned by {owner}"),
            Lang::Zh => format!("属于 {owner}"),
        }
    }

    /// A score column's tooltip.
    pub fn plugin_weight(self, plugin: &str, weight: i64) -> String {
        match self {
            Lang::En => format!("{plugin} (weight {weight})"),
            Lang::Zh => format!("{plugin}（权重 {weight}）"),
        }
    }

    /// The scheduling tab's summary when the pod was bound.
    pub fn scheduled_to(self, node: &str, clock: &str) -> String {
        match self {
            Lang::En => format!("Bound to {node} at {clock}: it passed every filter and had the highest total score."),
            Lang::Zh => format!("{clock} 绑定到 {node}：它通过了所有过滤插件，且总分最高。"),
        }
    }

    /// The scheduling tab's summary when no node fitted; the message is the scheduler's own.
    pub fn not_scheduled(self, clock: &str) -> String {
        match self {
            Lang::En => format!("Not scheduled at {clock}. The scheduler said:"),
            Lang::Zh => format!("{clock} 未能调度。调度器的消息："),
        }
    }

    pub fn deleted(self, kind: &str, name: &str) -> String {
        match self {
            Lang::En => format!("{kind} {name} was deleted: it no longer exists in the cluster."),
            Lang::Zh => format!("{kind} {name} 已被删除：集群中已不存在该对象。"),
        }
    }

    pub fn rejected_by(self, plugin: &str) -> String {
        match self {
            Lang::En => format!("rejected by {plugin}"),
            Lang::Zh => format!("被 {plugin} 拒绝"),
        }
    }

    pub fn expand(self, panel: &str) -> String {
        match self {
            Lang::En => format!("Show {panel}"),
            Lang::Zh => format!("展开{panel}"),
        }
    }

    pub fn collapse(self, panel: &str) -> String {
        match self {
            Lang::En => format!("Hide {panel}"),
            Lang::Zh => format!("收起{panel}"),
        }
    }
}

/// The interface's fixed strings in one language.
#[derive(Debug)]
pub struct Text {
    pub tagline: &'static str,
    pub clock_title: &'static str,
    pub nothing_scheduled: &'static str,
    /// Shown until the model's worker has loaded and sent the first frame.
    pub starting: &'static str,
    pub apply: &'static str,
    pub step: &'static str,
    pub step_title: &'static str,
    pub play: &'static str,
    pub pause: &'static str,
    pub play_title: &'static str,
    pub language: &'static str,
    pub idle: &'static str,

    pub editor: &'static str,
    pub problems: &'static str,
    pub no_problems: &'static str,
    pub apply_output: &'static str,
    pub cluster: &'static str,
    pub cluster_hint: &'static str,
    pub cluster_label: &'static str,
    pub no_nodes: &'static str,
    pub no_pods: &'static str,
    pub events: &'static str,
    pub no_events: &'static str,
    pub terminal: &'static str,
    pub command: &'static str,

    pub inspector: &'static str,
    pub close: &'static str,
    pub why: &'static str,
    pub scheduling: &'static str,
    pub conditions: &'static str,
    pub yaml: &'static str,
    pub no_why: &'static str,
    pub no_decision: &'static str,
    pub node: &'static str,
    pub filter: &'static str,
    pub total: &'static str,
    pub passes: &'static str,
    pub fails: &'static str,
    pub chosen: &'static str,
    pub score_legend: &'static str,
    pub condition_type: &'static str,
    pub condition_status: &'static str,
    pub condition_reason: &'static str,
    pub condition_message: &'static str,
    pub no_conditions: &'static str,
    pub no_object_events: &'static str,

    pub lesson: &'static str,
    pub lesson_step: &'static str,
    pub free_play: &'static str,
    pub choose_lesson: &'static str,
    pub introduction: &'static str,
    pub steps: &'static str,
    pub goal: &'static str,
    pub step_done: &'static str,
    pub step_current: &'static str,
    pub step_todo: &'static str,
    pub check_met: &'static str,
    pub check_unmet: &'static str,
    pub show_me: &'static str,
    pub show_me_title: &'static str,
    pub lesson_complete: &'static str,
    pub no_such_lesson: &'static str,
    pub apply_all: &'static str,
    pub apply_all_title: &'static str,
    pub files: &'static str,
    pub speed: &'static str,
    pub read_only: &'static str,
    pub timeline: &'static str,
    pub timeline_title: &'static str,
    pub viewing_past: &'static str,
    pub back_to_now: &'static str,
    pub session_unreadable: &'static str,
    pub session_newer: &'static str,
    pub export: &'static str,
    pub export_title: &'static str,
    pub map: &'static str,
    pub charts: &'static str,
    pub no_charts: &'static str,
    pub replicas: &'static str,
    pub requests_per_s: &'static str,
    pub per_second: &'static str,
    pub latency: &'static str,
    pub target: &'static str,
    pub virtual_time: &'static str,
    pub share: &'static str,
    pub share_title: &'static str,
    pub share_ready: &'static str,
    pub shared_loaded: &'static str,
    pub share_damaged: &'static str,
    pub share_newer: &'static str,
    pub ctrl_c_stops: &'static str,
    pub max_speed: &'static str,
    /// Why time plays slower than the chosen speed (the model's budget per frame).
    pub pace_title: &'static str,
}

pub static EN: Text = Text {
    tagline: "a Kubernetes cluster in your browser",
    clock_title: "Virtual time since the cluster started",
    nothing_scheduled: "nothing scheduled",
    starting: "Starting the cluster…",
    apply: "Apply",
    step: "Step",
    step_title: "Run to the next scheduled event",
    play: "Play",
    pause: "Pause",
    play_title: "Play or pause virtual time",
    language: "Language",
    idle: "Nothing is scheduled: the cluster is idle.",

    editor: "Editor",
    problems: "Problems",
    no_problems: "No problems. Press Apply to send the file to the cluster.",
    apply_output: "Apply output",
    cluster: "Cluster",
    cluster_hint: "Click a pod or a node to see why it is in its state.",
    cluster_label: "Nodes with their pods, and the pods waiting to be scheduled",
    no_nodes: "This cluster has no nodes.",
    no_pods: "no pods",
    events: "Events",
    no_events: "No events yet.",
    terminal: "Terminal",
    command: "Command",

    inspector: "Inspector",
    close: "Close",
    why: "Why",
    scheduling: "Scheduling",
    conditions: "Conditions",
    yaml: "YAML",
    no_why: "Nothing to explain for this kind yet.",
    no_decision: "No scheduling decision is recorded for this pod.",
    node: "Node",
    filter: "Filter",
    total: "Total",
    passes: "passes",
    fails: "fails",
    chosen: "chosen",
    score_legend: "Each score cell is the plugin's score (0–100) times its weight; the node with the highest total wins.",
    condition_type: "Type",
    condition_status: "Status",
    condition_reason: "Reason",
    condition_message: "Message",
    no_conditions: "No conditions.",
    no_object_events: "No events for this object.",

    lesson: "Lesson",
    lesson_step: "Step",
    free_play: "Free play (no lesson)",
    choose_lesson: "Choose a lesson",
    introduction: "Introduction",
    steps: "Steps",
    goal: "Goal (checked against the cluster as time runs)",
    step_done: "done",
    step_current: "now",
    step_todo: "to do",
    check_met: "met:",
    check_unmet: "not yet:",
    show_me: "Show me",
    show_me_title: "Run this step's commands in the terminal",
    lesson_complete: "Lesson complete: every step's goal was reached.",
    no_such_lesson: "There is no lesson by that name; showing free play.",
    apply_all: "Apply all",
    apply_all_title: "kubectl apply -f for every folder of manifests",
    files: "Files",
    speed: "Speed",
    read_only: "read-only",
    timeline: "Timeline",
    timeline_title: "Drag to see the cluster at any moment so far (rebuilt by replaying what happened)",
    viewing_past: "Viewing the past: acting here drops what came after.",
    back_to_now: "Back to now",
    export: "Export",
    map: "Map",
    charts: "Charts",
    no_charts: "Nothing to chart yet: Deployments, traffic (traffic start) and HPAs appear here.",
    replicas: "replicas",
    requests_per_s: "requests per second",
    per_second: "/s",
    latency: "mean latency",
    target: "target",
    virtual_time: "virtual time",
    share: "Share",
    max_speed: "max",
    pace_title: "This cluster is too large to simulate at the chosen speed within a frame, so time plays slower and the page stays responsive.",
    ctrl_c_stops: "following the cluster as time plays: Ctrl-C stops",
    share_title: "Put a link to these files in the address bar",
    share_ready: "The address bar now holds a link to these files: copy it to share them.",
    shared_loaded: "Opened a shared workspace in free play. Your earlier free-play session was kept aside in this browser.",
    share_damaged: "This share link is damaged and could not be opened; nothing changed.",
    share_newer: "This share link is from a newer kubeplay and could not be opened; nothing changed.",
    export_title: "Download every manifest as one YAML file for kubectl apply -f on a real cluster",
    session_unreadable: "Your saved session could not be read. It was kept aside in this browser's storage; this is a fresh start.",
    session_newer: "Your saved session is from a newer kubeplay. It was kept aside in this browser's storage; this is a fresh start.",
};

pub static ZH: Text = Text {
    tagline: "浏览器里的 Kubernetes 集群",
    clock_title: "集群启动以来的虚拟时间",
    nothing_scheduled: "没有待发生的事件",
    starting: "正在启动集群……",
    apply: "应用",
    step: "单步",
    step_title: "运行到下一个计划事件",
    play: "播放",
    pause: "暂停",
    play_title: "播放或暂停虚拟时间",
    language: "语言",
    idle: "没有待发生的事件：集群处于空闲状态。",

    editor: "编辑器",
    problems: "问题",
    no_problems: "没有问题。点击“应用”把文件提交到集群。",
    apply_output: "应用输出",
    cluster: "集群",
    cluster_hint: "点击 Pod 或节点，查看它为什么处于当前状态。",
    cluster_label: "各节点及其 Pod，以及等待调度的 Pod",
    no_nodes: "该集群没有节点。",
    no_pods: "没有 Pod",
    events: "事件",
    no_events: "还没有事件。",
    terminal: "终端",
    command: "命令",

    inspector: "详情",
    close: "关闭",
    why: "为什么",
    scheduling: "调度",
    conditions: "状况",
    yaml: "YAML",
    no_why: "暂时没有针对该类型的解释。",
    no_decision: "没有记录该 Pod 的调度决策。",
    node: "节点",
    filter: "过滤",
    total: "总分",
    passes: "通过",
    fails: "未通过",
    chosen: "选中",
    score_legend: "每个得分格是插件得分（0–100）乘以其权重；总分最高的节点胜出。",
    condition_type: "类型",
    condition_status: "状态",
    condition_reason: "原因",
    condition_message: "消息",
    no_conditions: "没有状况。",
    no_object_events: "该对象没有事件。",

    lesson: "课程",
    lesson_step: "步骤",
    free_play: "自由练习（无课程）",
    choose_lesson: "选择课程",
    introduction: "简介",
    steps: "步骤",
    goal: "目标（随时间推进自动对照集群检查）",
    step_done: "已完成",
    step_current: "当前",
    step_todo: "待完成",
    check_met: "已满足：",
    check_unmet: "未满足：",
    show_me: "演示给我看",
    show_me_title: "在终端中运行本步骤的命令",
    lesson_complete: "课程完成：每个步骤的目标都已达成。",
    no_such_lesson: "没有这个名字的课程；已进入自由练习。",
    apply_all: "全部应用",
    apply_all_title: "对每个清单目录执行 kubectl apply -f",
    files: "文件",
    speed: "速度",
    read_only: "只读",
    timeline: "时间线",
    timeline_title: "拖动以查看集群在此前任意时刻的状态（通过重放已发生的操作重建）",
    viewing_past: "正在查看过去：在此操作会丢弃之后的记录。",
    back_to_now: "回到现在",
    export: "导出",
    map: "拓扑",
    charts: "图表",
    no_charts: "暂无可绘制的数据：Deployment、流量（traffic start）和 HPA 会显示在这里。",
    replicas: "副本数",
    requests_per_s: "每秒请求数",
    per_second: "/秒",
    latency: "平均延迟",
    target: "目标",
    virtual_time: "虚拟时间",
    share: "分享",
    max_speed: "最快",
    pace_title: "集群太大，无法在一帧之内按所选速度模拟，时间因此放慢播放，页面保持可操作。",
    ctrl_c_stops: "正随时间跟踪集群：按 Ctrl-C 停止",
    share_title: "把指向这些文件的链接放到地址栏",
    share_ready: "地址栏里现在是指向这些文件的链接：复制它即可分享。",
    shared_loaded: "已在自由练习中打开分享的工作区。之前的自由练习会话已另存在浏览器中。",
    share_damaged: "这个分享链接已损坏，无法打开；没有任何改动。",
    share_newer: "这个分享链接来自更新版本的 kubeplay，无法打开；没有任何改动。",
    export_title: "把所有清单下载为一个 YAML 文件，可在真实集群上 kubectl apply -f",
    session_unreadable: "无法读取已保存的会话。它已另存在浏览器存储中；现在是全新的开始。",
    session_newer: "已保存的会话来自更新版本的 kubeplay。它已另存在浏览器存储中；现在是全新的开始。",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_for_any_zh_tag_english_otherwise() {
        for tag in ["zh", "zh-CN", "zh-Hans-CN", "zh-TW", "ZH-cn", "zh_CN"] {
            assert_eq!(Lang::from_tag(tag), Lang::Zh, "{tag}");
        }
        for tag in ["en", "en-US", "de-DE", "", "z", "zu", "hz"] {
            assert_eq!(Lang::from_tag(tag), Lang::En, "{tag}");
        }
    }

    #[test]
    fn both_languages_have_the_buttons() {
        assert_eq!(Lang::En.text().apply, "Apply");
        assert_eq!(Lang::Zh.text().apply, "应用");
        for lang in Lang::ALL {
            let t = lang.text();
            for s in [t.apply, t.step, t.play, t.pause, t.events, t.terminal, t.inspector, t.why, t.scheduling] {
                assert!(!s.is_empty(), "{lang:?}");
            }
        }
        assert_eq!(Lang::En.pending_title(1), "Pending: 1 pod waiting to be scheduled");
        assert_eq!(Lang::En.pending_title(2), "Pending: 2 pods waiting to be scheduled");
    }
}
