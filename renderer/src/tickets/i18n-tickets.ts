import i18n from '../i18n';

/** The ticket area's texts, Chinese first (merged into the app's translation bundle). */
const zh = {
  shortcuts: { submitTicket: '提交工单', newTicket: '转到工单表单', findTicket: '我的工单 / 工单查询', mergeTicket: '转到“合并到此工单”（重复来电）' },
  tickets: {
    form: '工单', callerName: '来电人', anonymous: '匿名', callbackPhone: '回访电话', requestType: '诉求类型', category: '诉求分类',
    categoryPlaceholder: '输入名称、关键词或拼音首字母（如 ts 停水）', division: '所属区域', divisionPlaceholder: '区 / 街道（镇）',
    address: '详细地址', description: '诉求内容', urgency: '紧急程度', kbUsed: '引用知识', outcome: '处理方式',
    closedOnCall: '直接办结', dispatched: '派单', answer: '答复内容', unit: '承办单位', suggested: '建议', deadline: '办理时限',
    provisional: '暂定（超出已公布的工作日历）', submit: '提交工单', submitting: '提交中…', discard: '清空草稿', newDraft: '新建工单',
    boundTo: '来电 {{number}}', restored: '已恢复未提交的草稿（保存于 {{time}}）', savedAt: '草稿已保存 {{time}}', otherDrafts: '另有 {{count}} 份草稿',
    filed: '工单已提交', numberPending: '编号待中心分配（同步后显示）', defaultRef: '尚未与中心同步基础数据，正在使用内置演示数据（示例区）；联网后自动更新。',
    refFrom: '基础数据：{{district}} 第{{version}}版', duplicates: '可能重复的工单', view: '查看', none: '无',
    history: '来电人历史', historyEmpty: '没有历史工单和来电', repeat: '重复来电', fromServer: '已查询中心记录', localOnly: '本机缓存（中心暂不可达）',
    loadingServer: '正在查询中心记录…', calls: '来电记录', ticketsTitle: '历史工单', noNumber: '待编号',
    search: '我的工单 / 查询', searchPlaceholder: '工单编号、电话号码或诉求内容', mine: '我的工单', results: '查询结果',
    detail: '工单详情', events: '办理记录', syncPending: '待上报', syncSent: '已上报', syncRejected: '被拒',
    acceptedAt: '受理时间', status: '状态', dueAt: '办理时限',
    merge: '合并到此工单', mergeTitle: '合并重复来电', mergeOk: '确认合并', mergeCancel: '取消',
    mergeIntro: '本次来电将作为“重复来电”记入以下工单的办理记录，工单状态不变，当前表单随后清空：',
    mergeNumber: '工单编号', mergePhone: '来电号码', mergeSaid: '本次反映', mergeTicketDesc: '原诉求',
    merged: '已合并到工单 {{number}}：重复来电已记入办理记录', mergedPending: '（待上报中心）',
    foundLocal: '本机 {{count}} 条', foundServer: '中心 {{count}} 条', fromCenter: '中心', searchingServer: '正在查询中心…',
    serverUnreachable: '中心暂不可达，仅显示本机结果：{{error}}', caller: '来电',
  },
};

const en = {
  shortcuts: { submitTicket: 'Submit the ticket', newTicket: 'Go to the ticket form', findTicket: 'My tickets / find a ticket', mergeTicket: 'Go to “merge into this ticket” (repeat call)' },
  tickets: {
    form: 'Ticket', callerName: 'Caller', anonymous: 'Anonymous', callbackPhone: 'Callback number', requestType: 'Request type', category: 'Category',
    categoryPlaceholder: 'Type a name, keyword or pinyin initials (ts = 停水)', division: 'Area', divisionPlaceholder: 'District / street (town)',
    address: 'Address', description: 'Request', urgency: 'Urgency', kbUsed: 'Knowledge used', outcome: 'Outcome',
    closedOnCall: 'Answered on the call', dispatched: 'Dispatch', answer: 'Answer given', unit: 'Handling unit', suggested: 'suggested', deadline: 'Deadline',
    provisional: 'provisional (beyond the published calendar)', submit: 'Submit ticket', submitting: 'Submitting…', discard: 'Clear draft', newDraft: 'New ticket',
    boundTo: 'Call from {{number}}', restored: 'Restored an unsubmitted draft (saved {{time}})', savedAt: 'Draft saved {{time}}', otherDrafts: '{{count}} more drafts',
    filed: 'Ticket submitted', numberPending: 'number pending (issued by the center at sync)', defaultRef: 'Reference data not yet synced with the center: using the built-in demo data; it updates once online.',
    refFrom: 'Reference data: {{district}} v{{version}}', duplicates: 'Possible duplicates', view: 'View', none: 'None',
    history: 'Caller history', historyEmpty: 'No earlier tickets or calls', repeat: 'Repeat caller', fromServer: 'Center records checked', localOnly: 'Local cache (center unreachable)',
    loadingServer: 'Asking the center…', calls: 'Calls', ticketsTitle: 'Earlier tickets', noNumber: 'no number yet',
    search: 'My tickets / search', searchPlaceholder: 'Ticket number, phone number or text', mine: 'My tickets', results: 'Results',
    detail: 'Ticket', events: 'History', syncPending: 'Waiting', syncSent: 'Reported', syncRejected: 'Rejected',
    acceptedAt: 'Accepted', status: 'Status', dueAt: 'Due',
    merge: 'Merge into this ticket', mergeTitle: 'Merge a repeat call', mergeOk: 'Merge', mergeCancel: 'Cancel',
    mergeIntro: 'This call goes into the ticket’s history as a repeat call; the status stays as it is and the form is cleared:',
    mergeNumber: 'Ticket', mergePhone: 'Caller', mergeSaid: 'Said this time', mergeTicketDesc: 'Original request',
    merged: 'Merged into ticket {{number}}: the repeat call is in its history', mergedPending: ' (waiting to reach the center)',
    foundLocal: '{{count}} on this console', foundServer: '{{count}} from the center', fromCenter: 'Center', searchingServer: 'Asking the center…',
    serverUnreachable: 'Center unreachable, local results only: {{error}}', caller: 'Call from',
  },
};

i18n.addResourceBundle('zh-CN', 'translation', zh, true, false);
i18n.addResourceBundle('en', 'translation', en, true, false);
