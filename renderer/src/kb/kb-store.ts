import { create } from 'zustand';

/** An article the operator chose to answer with ("使用此答案"). */
export interface UsedAnswer {
  articleId: number;
  sourceId: string;
  title: string;
  text: string;
}

interface KbShared {
  /** The ticket's description as the operator types it: the panel suggests related articles from it. */
  ticketText: string;
  /** Articles used on the current call, newest last; the ticket form takes them in. */
  used: UsedAnswer[];
  setTicketText(text: string): void;
  use(answer: UsedAnswer): void;
  clear(): void;
}

/** What the knowledge-base panel and the ticket form share. */
export const useKbShared = create<KbShared>((set) => ({
  ticketText: '',
  used: [],
  setTicketText: (ticketText) => set({ ticketText }),
  use: (answer) => set((s) => ({ used: [...s.used.filter((u) => u.articleId !== answer.articleId), answer] })),
  clear: () => set({ ticketText: '', used: [] }),
}));
