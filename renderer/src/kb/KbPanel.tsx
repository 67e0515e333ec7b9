import { ArrowLeftOutlined, CheckOutlined, SearchOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Input, List, Space, Tag, Typography, type InputRef } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Article, SearchHit } from '../../../src/shared/kb';
import type { KbUsedArticle } from '../../../src/shared/host-api-kb';
import { host } from '../host-client';
import { usePhone } from '../phone/phone-store';
import { loadShortcuts, useShortcuts } from '../shortcuts';
import { articleText, sanitizeArticleHtml, sanitizeHighlight } from './sanitize';
import './i18n-kb';
import { useKbShared } from './kb-store';

const SEARCH_DEBOUNCE_MS = 60;
const SUGGEST_DEBOUNCE_MS = 400;

type Row = { id: number; sourceId: string; title: string; titleHtml?: string; snippet?: string; unit?: string };

/**
 * The knowledge base on the right of the console: results from the first
 * character typed, ↑ ↓ Enter Esc, the article shown sanitized, and "use this
 * answer" to put it into the ticket. With nothing typed it suggests articles
 * for the ticket's description, then the operator's recent and frequent ones.
 */
export function KbPanel() {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<Row[]>([]);
  const [suggested, setSuggested] = useState<Row[]>([]);
  const [used, setUsed] = useState<{ recent: KbUsedArticle[]; frequent: KbUsedArticle[] }>({ recent: [], frequent: [] });
  const [selected, setSelected] = useState(0);
  const [article, setArticle] = useState<Article | null>(null);
  const [published, setPublished] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<InputRef>(null);
  const ticketText = useKbShared((s) => s.ticketText);
  const callId = usePhone((s) => s.phone.call?.sipCallId ?? null);

  const refreshUsed = useCallback(() => {
    host.call('kb.used', { limit: 5 }).then(setUsed, () => {});
  }, []);

  useEffect(() => {
    host.call('kb.stats', {}).then((s) => setPublished(s.published), () => {});
    refreshUsed();
  }, [refreshUsed]);

  const articleRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (article) articleRef.current?.focus();
  }, [article]);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setHits([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      host
        .call('kb.search', { query: q, limit: 10 })
        .then((r: SearchHit[]) => {
          if (!live) return;
          setError(null);
          setHits(r.map((h) => ({ id: h.id, sourceId: h.sourceId, title: h.title, titleHtml: h.titleHighlighted, snippet: h.snippet, unit: h.unit })));
          setSelected(0);
        })
        .catch((e: Error) => live && setError(e.message));
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);

  useEffect(() => {
    const text = ticketText.trim();
    if (text.length < 2) {
      setSuggested([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      host
        .call('kb.suggest', { text, limit: 5 })
        .then((r) => live && setSuggested(r.map((h) => ({ id: h.id, sourceId: h.sourceId, title: h.title, titleHtml: h.titleHighlighted, snippet: h.snippet, unit: h.unit }))))
        .catch(() => {});
    }, SUGGEST_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [ticketText]);

  const open = useCallback((id: number) => {
    host.call('kb.article', { id }).then(setArticle, (e: Error) => setError(e.message));
  }, []);

  const useAnswer = useCallback(async () => {
    if (!article) return;
    try {
      await host.call('kb.recordUse', { id: article.id, callId });
      useKbShared.getState().use({ articleId: article.id, sourceId: article.sourceId, title: article.title, text: articleText(article.answerHtml) });
      refreshUsed();
    } catch (e) {
      setError((e as Error).message);
    }
  }, [article, callId, refreshUsed]);

  const rows = query.trim() ? hits : suggested;

  const shortcutMap = useMemo(() => loadShortcuts(), []);
  const shortcutHandlers = useMemo(
    () => ({
      kbSearch: () => {
        setArticle(null);
        setTimeout(() => inputRef.current?.focus({ cursor: 'all' }), 0);
      },
      kbUse: () => void useAnswer(),
    }),
    [useAnswer],
  );
  useShortcuts(shortcutMap, shortcutHandlers);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (article) {
      if (e.key === 'Escape') {
        e.preventDefault();
        setArticle(null);
      }
      return;
    }
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setSelected((s) => Math.min(s + 1, Math.max(rows.length - 1, 0)));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setSelected((s) => Math.max(s - 1, 0));
    } else if (e.key === 'Enter' && rows[selected]) {
      e.preventDefault();
      open(rows[selected]!.id);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setQuery('');
    }
  };

  return (
    <Card
      size="small"
      data-testid="kb-panel"
      title={
        <Space>
          {t('panels.kb')}
          {published !== null && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('kb.count', { count: published })}</Typography.Text>}
        </Space>
      }
      onKeyDown={onKeyDown}
    >
      {article ? (
        <div data-testid="kb-article" data-article-id={article.id} ref={articleRef} tabIndex={-1} style={{ outline: 'none' }}>
          <Space style={{ marginBottom: 8 }}>
            <Button size="small" icon={<ArrowLeftOutlined />} onClick={() => setArticle(null)} data-testid="kb-back">
              {t('kb.back')} (Esc)
            </Button>
            <Button size="small" type="primary" icon={<CheckOutlined />} onClick={() => void useAnswer()} data-testid="kb-use">
              {t('kb.use')} ({shortcutMap.kbUse})
            </Button>
          </Space>
          <Typography.Title level={5} style={{ marginTop: 0 }}>
            {article.title}
          </Typography.Title>
          <Space size={4} wrap style={{ marginBottom: 8 }}>
            {article.unit && <Tag>{article.unit}</Tag>}
            {article.contactPhone && <Tag color="blue">{t('kb.phone')} {article.contactPhone}</Tag>}
            {article.validTo && <Tag>{t('kb.validTo', { date: article.validTo })}</Tag>}
          </Space>
          <div
            data-testid="kb-article-body"
            style={{ maxHeight: '55vh', overflow: 'auto', lineHeight: 1.7, whiteSpace: 'pre-wrap' }}
            dangerouslySetInnerHTML={{ __html: sanitizeArticleHtml(article.answerHtml) }}
          />
        </div>
      ) : (
        <>
          <Input
            ref={inputRef}
            prefix={<SearchOutlined />}
            placeholder={t('kb.placeholder')}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            allowClear
            data-testid="kb-search"
          />
          {error && <Typography.Text type="danger">{error}</Typography.Text>}
          {!query.trim() && suggested.length > 0 && <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>{t('kb.suggested')}</Typography.Text>}
          {rows.length > 0 ? (
            <List
              size="small"
              dataSource={rows}
              style={{ marginTop: 8 }}
              renderItem={(r, i) => (
                <List.Item
                  data-testid="kb-result"
                  data-source-id={r.sourceId}
                  onClick={() => open(r.id)}
                  style={{ cursor: 'pointer', background: i === selected ? '#e6f4ff' : undefined, display: 'block', padding: '6px 8px' }}
                >
                  <div style={{ fontWeight: 500 }} dangerouslySetInnerHTML={{ __html: sanitizeHighlight(r.titleHtml ?? r.title) }} />
                  {r.snippet && <div style={{ color: '#595959', fontSize: 12 }} dangerouslySetInnerHTML={{ __html: sanitizeHighlight(r.snippet) }} />}
                </List.Item>
              )}
            />
          ) : query.trim() ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.none')} />
          ) : (
            <UsedLists used={used} onOpen={open} />
          )}
        </>
      )}
    </Card>
  );
}

function UsedLists({ used, onOpen }: { used: { recent: KbUsedArticle[]; frequent: KbUsedArticle[] }; onOpen: (id: number) => void }) {
  const { t } = useTranslation();
  if (!used.recent.length && !used.frequent.length) return <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>{t('kb.hint')}</Typography.Paragraph>;
  const section = (title: string, items: KbUsedArticle[], testId: string) =>
    items.length > 0 && (
      <div data-testid={testId} style={{ marginTop: 12 }}>
        <Typography.Text type="secondary">{title}</Typography.Text>
        {items.map((a) => (
          <div key={a.id} style={{ cursor: 'pointer', padding: '2px 0' }} onClick={() => onOpen(a.id)}>
            {a.title} <Typography.Text type="secondary" style={{ fontSize: 12 }}>×{a.uses}</Typography.Text>
          </div>
        ))}
      </div>
    );
  return (
    <>
      {section(t('kb.recent'), used.recent, 'kb-recent')}
      {section(t('kb.frequent'), used.frequent, 'kb-frequent')}
    </>
  );
}
