import DOMPurify from 'dompurify';

/**
 * Knowledge-base HTML comes from departments' web pages: untrusted. Keep text
 * structure and links, drop scripts, styles, frames, forms, event handlers and
 * non-http(s) links; links open outside the console.
 */
const ARTICLE_CONFIG = {
  ALLOWED_TAGS: ['p', 'br', 'div', 'span', 'b', 'strong', 'i', 'em', 'u', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'a', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'blockquote', 'sub', 'sup', 'hr', 'font'],
  ALLOWED_ATTR: ['href', 'title', 'colspan', 'rowspan'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|tel:)/i,
  FORBID_TAGS: ['script', 'style', 'iframe', 'object', 'embed', 'form', 'input', 'img', 'svg', 'math', 'link', 'meta', 'base'],
};

let hooked = false;
function hookLinks() {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

export function sanitizeArticleHtml(html: string): string {
  hookLinks();
  return DOMPurify.sanitize(html, ARTICLE_CONFIG) as unknown as string;
}

/** Titles and snippets from search: escaped text with <mark> around matches, and nothing else. */
export function sanitizeHighlight(html: string): string {
  return DOMPurify.sanitize(html, { ALLOWED_TAGS: ['mark'], ALLOWED_ATTR: [] }) as unknown as string;
}

/** The article's answer as plain text, for putting into a ticket. */
export function articleText(html: string): string {
  const doc = new DOMParser().parseFromString(sanitizeArticleHtml(html), 'text/html');
  return (doc.body.textContent ?? '').replace(/\n{3,}/g, '\n\n').trim();
}
