import i18n from '../i18n';

/** The knowledge-base panel's texts, Chinese first. */
i18n.addResourceBundle(
  'zh-CN',
  'translation',
  {
    kb: {
      count: '共 {{count}} 条',
      placeholder: '输入关键词、拼音首字母或整句问题（Alt+Q）',
      back: '返回',
      use: '使用此答案',
      phone: '咨询电话',
      validTo: '有效期至 {{date}}',
      suggested: '根据诉求内容推荐',
      none: '没有找到相关知识，换个说法试试',
      hint: '输入即搜索；↑ ↓ 选择，Enter 打开，Esc 返回',
      recent: '最近使用',
      frequent: '最常使用',
    },
    shortcuts: { kbSearch: '知识库检索', kbUse: '使用知识库答案' },
  },
  true,
  false,
);
i18n.addResourceBundle(
  'en',
  'translation',
  {
    kb: {
      count: '{{count}} articles',
      placeholder: 'Keywords, pinyin initials or a whole question (Alt+Q)',
      back: 'Back',
      use: 'Use this answer',
      phone: 'Phone',
      validTo: 'Valid until {{date}}',
      suggested: 'Suggested for the description',
      none: 'Nothing found; try other words',
      hint: 'Type to search; ↑ ↓ to choose, Enter to open, Esc to go back',
      recent: 'Recently used',
      frequent: 'Most used',
    },
    shortcuts: { kbSearch: 'Search the knowledge base', kbUse: 'Use the knowledge-base answer' },
  },
  true,
  false,
);
