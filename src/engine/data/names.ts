// Column names as hints, in several languages and conventions. Names never decide alone where the data's
// structure can (roles.ts reads the values first); they break ties, pick among candidates, and decide in files
// that have no request structure to read (one row per request: Ali-CCP, Census-Income).

export type NamedRole = 'label' | 'request' | 'user' | 'item' | 'time';

/**
 * Latin-script words match a whole word of the name (split at '_', '-', spaces and camelCase: is_click, y_ctr,
 * conv_flag, clickedItem). Words of other scripts (Chinese, Japanese, Korean, Russian) match anywhere in the
 * name, since those names have no word boundaries (是否点击, 用户ID).
 */
const WORDS: Record<NamedRole, { latin: string[]; other: string[] }> = {
  label: {
    latin: [
      'click', 'clicked', 'clicks', 'clk', 'ctr', 'cvr', 'ctcvr', 'like', 'liked', 'likes', 'purchase', 'purchased', 'conversion',
      'converted', 'convert', 'conv', 'order', 'ordered', 'orders', 'cart', 'carted', 'addtocart', 'atc', 'buy', 'bought', 'pay', 'paid',
      'rated', 'income', 'label', 'target', 'follow', 'share', 'finish', 'finished', 'watch', 'watched', 'comment', 'favorite', 'fav',
      'download', 'install', 'y', 'outcome',
      // es / fr / de / pt
      'clic', 'compra', 'comprado', 'pedido', 'carrito', 'achat', 'commande', 'panier', 'klick', 'kauf', 'gekauft', 'bestellung', 'warenkorb',
    ],
    other: [
      '点击', '购买', '加购', '收藏', '转化', '下单', '成交', '支付', '点赞', '关注', '分享', '评论', '完播', '喜欢', '目标', '收入',
      'クリック', '購入', 'カート', 'お気に入り', 'いいね', '클릭', '구매', '장바구니', '좋아요', 'клик', 'покупка', 'заказ', 'корзина',
    ],
  },
  request: {
    latin: ['request', 'req', 'session', 'query', 'search', 'impression', 'imp', 'pv', 'pageview', 'pvid', 'sid', 'qid', 'rid', 'exposure',
      'sesion', 'requete', 'anfrage', 'sitzung', 'consulta', 'peticion'],
    other: ['请求', '会话', '查询', '搜索', '曝光', '展现', 'リクエスト', 'セッション', '요청', '세션', 'запрос', 'сессия'],
  },
  user: {
    latin: ['user', 'uid', 'customer', 'member', 'visitor', 'account', 'buyer', 'viewer', 'usuario', 'utilisateur', 'nutzer', 'benutzer', 'kunde', 'cliente'],
    other: ['用户', '会员', '客户', '买家', '顾客', 'ユーザー', 'ユーザ', '顧客', '사용자', '유저', '회원', 'пользователь', 'клиент'],
  },
  item: {
    latin: ['item', 'iid', 'product', 'goods', 'sku', 'ad', 'doc', 'video', 'movie', 'article', 'song', 'track', 'post', 'listing', 'offer',
      'producto', 'produit', 'artikel', 'produkt', 'articulo'],
    other: ['物品', '商品', '视频', '文章', '广告', '候选', '宝贝', '电影', 'アイテム', '動画', '상품', '아이템', 'товар', 'фильм'],
  },
  time: {
    latin: ['time', 'timestamp', 'ts', 'date', 'datetime', 'eventtime', 'hora', 'fecha', 'zeit', 'datum'],
    other: ['时间', '日期', '时刻', '時間', '日時', '日付', '시간', '날짜', 'время', 'дата'],
  },
};

const LATIN = Object.fromEntries(Object.entries(WORDS).map(([k, v]) => [k, new Set(v.latin)])) as Record<NamedRole, Set<string>>;
/** What may follow an id word without changing its meaning (user_id, 用户编号, itemKey). */
const ID_SUFFIX = new Set(['id', 'ids', 'key', 'no', 'code', 'idx', 'index', 'hash']);
const OTHER_ID_SUFFIX = /(id|编号|编码|号|标识|ＩＤ|番号|번호|ид)$/i;

/** The Latin words of a name: camelCase and separators split, lower-cased. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/** A label-like name: any word is a label word (is_click, y_ctr, conv_flag, 点击, 是否购买). */
export function isLabelNamed(name: string): boolean {
  const words = nameWords(name);
  if (words.some((w) => LATIN.label.has(w)) || LATIN.label.has(words.join(''))) return true;
  return WORDS.label.other.some((w) => name.includes(w));
}

/**
 * An id-like or time-like name for `role`: the role's word alone, perhaps with an id suffix (user, user_id,
 * userId, 用户, 用户ID), but not a feature about it (user_age, 用户年龄).
 */
export function isNamedAs(name: string, role: Exclude<NamedRole, 'label'>): boolean {
  const words = nameWords(name);
  const core = words.filter((w, i) => i === 0 || !ID_SUFFIX.has(w));
  if (core.length === 1 && LATIN[role].has(core[0])) return true;
  if (words.length > 1 && LATIN[role].has(words.join(''))) return true; // page_view, event_time
  const bare = name.trim().replace(/[\s_\-:.]+/g, '').replace(OTHER_ID_SUFFIX, '');
  return WORDS[role].other.some((w) => bare === w);
}
