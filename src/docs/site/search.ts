/** Search over node names, descriptions, tags, paths and columns (names and descriptions). */
export interface Searchable {
  id: string;
  name: string;
  type: string;
  description: string;
  path: string;
  tags: string[];
  columns: Array<{ name: string; description: string }>;
}

export interface SearchHit {
  id: string;
  score: number;
  /** where the query matched: name, description, column:<name>, tag, path */
  field: string;
  snippet: string;
}

interface Entry {
  id: string;
  name: string;
  desc: string;
  descRaw: string;
  path: string;
  tags: string;
  cols: Array<{ name: string; lname: string; desc: string; descRaw: string }>;
}

export class SearchIndex {
  private readonly entries: Entry[];

  constructor(items: Searchable[]) {
    this.entries = items.map((n) => ({
      id: n.id,
      name: n.name.toLowerCase(),
      desc: n.description.toLowerCase(),
      descRaw: n.description,
      path: n.path.toLowerCase(),
      tags: n.tags.join(' ').toLowerCase(),
      cols: n.columns.map((c) => ({ name: c.name, lname: c.name.toLowerCase(), desc: c.description.toLowerCase(), descRaw: c.description })),
    }));
  }

  /** Every term must match somewhere; name matches rank first, then columns, then descriptions. */
  search(query: string, limit = 50): SearchHit[] {
    const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) return [];
    const hits: SearchHit[] = [];
    for (const e of this.entries) {
      let score = 0;
      let field = '';
      let snippet = '';
      let all = true;
      for (const t of terms) {
        let best = 0;
        let bf = '';
        let bs = '';
        if (e.name === t) [best, bf] = [100, 'name'];
        else if (e.name.startsWith(t)) [best, bf] = [60, 'name'];
        else if (e.name.includes(t)) [best, bf] = [40, 'name'];
        if (best < 30) {
          for (const c of e.cols) {
            const s = c.lname === t ? 30 : c.lname.includes(t) ? 20 : c.desc.includes(t) ? 8 : 0;
            if (s > best) {
              best = s;
              bf = `column:${c.name}`;
              bs = s >= 20 ? c.name : excerpt(c.descRaw, c.desc.indexOf(t), t.length);
            }
            if (best >= 30) break;
          }
        }
        if (best < 10 && e.tags.includes(t)) [best, bf] = [12, 'tag'];
        if (best < 10 && e.desc.includes(t)) [best, bf, bs] = [10, 'description', excerpt(e.descRaw, e.desc.indexOf(t), t.length)];
        if (best < 5 && e.path.includes(t)) [best, bf] = [5, 'path'];
        if (!best) {
          all = false;
          break;
        }
        score += best;
        if (!field || bf !== 'name') {
          field = field || bf;
          snippet = snippet || bs;
        }
      }
      if (all) hits.push({ id: e.id, score, field, snippet });
    }
    hits.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
    return hits.slice(0, limit);
  }
}

function excerpt(text: string, at: number, len: number): string {
  if (at < 0) return text.slice(0, 80);
  const start = Math.max(0, at - 30);
  const end = Math.min(text.length, at + len + 50);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}
