import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

/** Chinese first (the center's language), English second. */
export const resources = {
  'zh-CN': {
    translation: {
      appTitle: '晴雨 · 12345 坐席工作台',
      login: { title: '坐席登录', username: '工号', password: '密码', submit: '登录', usernameRequired: '请输入工号', passwordRequired: '请输入密码' },
      logout: '退出',
      registration: { unregistered: '话机未注册', registering: '话机注册中…', registered: '话机已注册', failed: '话机注册失败' },
      call: {
        incoming: '来电', answer: '接听', reject: '拒接', hangup: '挂断', inCall: '通话中', answering: '正在接通…', ended: '通话已结束',
        idle: '空闲', unknownCaller: '未知号码',
        outcome: { answered: '已接听', missed: '未接', rejected: '已拒接', failed: '失败' },
      },
      sync: { online: '在线', offline: '离线', pending: '待同步 {{count}} 条', rejected: '被拒 {{count}} 条', lastSync: '最近同步 {{time}}', never: '尚未同步' },
      panels: { caller: '来电信息', history: '本机通话记录', ticket: '工单', kb: '知识库' },
      callerPanel: { number: '来电号码', name: '主叫名称', started: '来电时间', noCall: '当前没有来电' },
      history: { time: '时间', number: '号码', outcome: '结果', duration: '通话时长', synced: '已上报', unsynced: '待上报', empty: '暂无通话', call: '回拨此号码', outbound: '呼出', inbound: '呼入' },
      ticketPanel: { placeholder: '接听来电后在此填写工单（工单功能见后续版本）' },
      kbPanel: { placeholder: '知识库检索（离线可用）' },
      shortcuts: {
        title: '快捷键', answer: '接听来电', hangup: '挂断 / 拒接', help: '显示快捷键',
        dial: '拨号（光标到拨号框）', hold: '保持 / 恢复', mute: '静音 / 取消静音', transfer: '转接', consult: '咨询转接（先咨询第三方）',
        conference: '三方通话', completeTransfer: '完成转接', cancelTransfer: '取消转接', swap: '切换线路', dtmf: '拨号键盘（DTMF）',
        redial: '重拨', ready: '就绪', notReady: '未就绪（第一个原因）', extendWrapUp: '延长话后整理', endWrapUp: '结束话后整理', settings: '话机设置',
        howTo: '点击右侧按键后按下新的组合键（F1–F12，或 Alt/Ctrl 加字母）；Esc 取消。', pressKey: '请按键…', reset: '恢复默认快捷键',
      },
      agent: {
        offline: '离线', ready: '就绪', not_ready: '未就绪', ringing: '振铃', in_call: '通话中', wrap_up: '话后整理',
        setReady: '就绪', setNotReady: '未就绪', extend: '延长', endWrapUp: '结束整理', wrapUpLeft: '剩余 {{s}} 秒',
        after: '通话后：未就绪（{{reason}}）', wrapUpSeconds: '话后整理时长', reasons: '未就绪原因',
      },
      phone: {
        line: '线路{{n}}', linkDown: '与电话服务器的连接中断：通话可能无声，恢复后自动重连', held: '保持中', hold: '保持', resume: '恢复', mute: '静音', unmute: '取消静音', dtmf: '按键', dtmfRfc: '方式：RFC 4733（点击改为 SIP INFO）', dtmfInfo: '方式：SIP INFO（点击改为 RFC 4733）',
        transfer: '转接', transferTo: '转接到号码', blindTransfer: '直接转接', consult: '咨询转接', consulting: '咨询中', completeTransfer: '完成转接', cancelTransfer: '取消转接',
        conference: '三方通话', inConference: '三方通话中', swap: '切换线路', waiting: '呼叫等待', dialing: '正在呼叫', ringback: '对方振铃', dial: '拨打', dialPlaceholder: '输入号码',
        redial: '重拨', settings: '话机设置', mic: '麦克风', output: '耳机 / 扬声器', ringDevice: '振铃设备', defaultDevice: '系统默认', autoAnswer: '自动应答（提示音后接听）',
        phase: { ringing: '振铃', dialing: '呼叫中', answering: '接通中', in_call: '通话中', ended: '已结束' },
        quality: { measuring: '通话质量测量中', good: '优', fair: '良', poor: '中', bad: '差', short: '抖动 {{jitter}}ms 丢包 {{loss}}% 时延 {{rtt}}ms', detail: 'MOS {{mos}}（R={{r}}），抖动 {{jitter}} ms，丢包 {{loss}}%，往返时延 {{rtt}} ms' },
      },
      errors: { hostDisconnected: '与控制台主程序的连接已断开，正在重连…', noSip: '该账号未配置话机分机，无法接听电话' },
    },
  },
  en: {
    translation: {
      appTitle: 'Qingyu · 12345 Agent Console',
      login: { title: 'Operator sign-in', username: 'Operator ID', password: 'Password', submit: 'Sign in', usernameRequired: 'Enter your operator ID', passwordRequired: 'Enter your password' },
      logout: 'Sign out',
      registration: { unregistered: 'Phone not registered', registering: 'Registering…', registered: 'Phone registered', failed: 'Registration failed' },
      call: {
        incoming: 'Incoming call', answer: 'Answer', reject: 'Decline', hangup: 'Hang up', inCall: 'In call', answering: 'Connecting…', ended: 'Call ended',
        idle: 'Idle', unknownCaller: 'Unknown number',
        outcome: { answered: 'Answered', missed: 'Missed', rejected: 'Declined', failed: 'Failed' },
      },
      sync: { online: 'Online', offline: 'Offline', pending: '{{count}} waiting', rejected: '{{count}} rejected', lastSync: 'Last sync {{time}}', never: 'Never synced' },
      panels: { caller: 'Caller', history: 'Calls on this console', ticket: 'Ticket', kb: 'Knowledge base' },
      callerPanel: { number: 'Number', name: 'Caller name', started: 'Rang at', noCall: 'No call right now' },
      history: { time: 'Time', number: 'Number', outcome: 'Outcome', duration: 'Talk time', synced: 'Reported', unsynced: 'Waiting', empty: 'No calls yet', call: 'Call this number', outbound: 'Out', inbound: 'In' },
      ticketPanel: { placeholder: 'Fill in the ticket here once you answer (tickets come in a later version)' },
      kbPanel: { placeholder: 'Knowledge base search (works offline)' },
      shortcuts: {
        title: 'Keyboard shortcuts', answer: 'Answer the call', hangup: 'Hang up / decline', help: 'Show shortcuts',
        dial: 'Dial (focus the number box)', hold: 'Hold / resume', mute: 'Mute / unmute', transfer: 'Transfer', consult: 'Consult, then transfer',
        conference: 'Three-way conference', completeTransfer: 'Complete transfer', cancelTransfer: 'Cancel transfer', swap: 'Swap lines', dtmf: 'Keypad (DTMF)',
        redial: 'Redial', ready: 'Ready', notReady: 'Not ready (first reason)', extendWrapUp: 'Extend after-call work', endWrapUp: 'End after-call work', settings: 'Phone settings',
        howTo: 'Click a key on the right, then press the new combination (F1–F12, or Alt/Ctrl with a letter); Esc cancels.', pressKey: 'Press a key…', reset: 'Restore default shortcuts',
      },
      agent: {
        offline: 'Offline', ready: 'Ready', not_ready: 'Not ready', ringing: 'Ringing', in_call: 'In call', wrap_up: 'After-call work',
        setReady: 'Ready', setNotReady: 'Not ready', extend: 'Extend', endWrapUp: 'Done', wrapUpLeft: '{{s}} s left',
        after: 'After the call: not ready ({{reason}})', wrapUpSeconds: 'After-call work', reasons: 'Not-ready reasons',
      },
      phone: {
        line: 'Line {{n}}', linkDown: 'Link to the phone server lost: the call may be silent; it reconnects by itself', held: 'On hold', hold: 'Hold', resume: 'Resume', mute: 'Mute', unmute: 'Unmute', dtmf: 'Keypad', dtmfRfc: 'Mode: RFC 4733 (click for SIP INFO)', dtmfInfo: 'Mode: SIP INFO (click for RFC 4733)',
        transfer: 'Transfer', transferTo: 'Transfer to number', blindTransfer: 'Transfer now', consult: 'Consult first', consulting: 'Consulting', completeTransfer: 'Complete transfer', cancelTransfer: 'Cancel transfer',
        conference: 'Conference', inConference: 'In conference', swap: 'Swap lines', waiting: 'Call waiting', dialing: 'Calling', ringback: 'Ringing', dial: 'Call', dialPlaceholder: 'Number',
        redial: 'Redial', settings: 'Phone settings', mic: 'Microphone', output: 'Headset / speaker', ringDevice: 'Ring on', defaultDevice: 'System default', autoAnswer: 'Auto-answer (after a tone)',
        phase: { ringing: 'Ringing', dialing: 'Calling', answering: 'Connecting', in_call: 'In call', ended: 'Ended' },
        quality: { measuring: 'Measuring quality', good: 'Good', fair: 'Fair', poor: 'Poor', bad: 'Bad', short: 'jitter {{jitter}}ms loss {{loss}}% rtt {{rtt}}ms', detail: 'MOS {{mos}} (R={{r}}), jitter {{jitter}} ms, loss {{loss}}%, round trip {{rtt}} ms' },
      },
      errors: { hostDisconnected: 'Lost the link to the console host, reconnecting…', noSip: 'This account has no phone extension and cannot take calls' },
    },
  },
} as const;

const lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'zh-CN';

void i18next.use(initReactI18next).init({ resources, lng: lang, fallbackLng: 'zh-CN', interpolation: { escapeValue: false } });

export default i18next;
