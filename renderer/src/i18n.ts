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
      history: { time: '时间', number: '号码', outcome: '结果', duration: '通话时长', synced: '已上报', unsynced: '待上报', empty: '暂无通话' },
      ticketPanel: { placeholder: '接听来电后在此填写工单（工单功能见后续版本）' },
      kbPanel: { placeholder: '知识库检索（离线可用）' },
      shortcuts: { title: '快捷键', answer: '接听来电', hangup: '挂断 / 拒接', help: '显示快捷键' },
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
      history: { time: 'Time', number: 'Number', outcome: 'Outcome', duration: 'Talk time', synced: 'Reported', unsynced: 'Waiting', empty: 'No calls yet' },
      ticketPanel: { placeholder: 'Fill in the ticket here once you answer (tickets come in a later version)' },
      kbPanel: { placeholder: 'Knowledge base search (works offline)' },
      shortcuts: { title: 'Keyboard shortcuts', answer: 'Answer the call', hangup: 'Hang up / decline', help: 'Show shortcuts' },
      errors: { hostDisconnected: 'Lost the link to the console host, reconnecting…', noSip: 'This account has no phone extension and cannot take calls' },
    },
  },
} as const;

const lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'zh-CN';

void i18next.use(initReactI18next).init({ resources, lng: lang, fallbackLng: 'zh-CN', interpolation: { escapeValue: false } });

export default i18next;
