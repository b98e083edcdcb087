/**
 * The demo's cast: hotel-like clients, each with one ad account in the Meta sandbox. Three are special,
 * so the run shows what the system does with them: one account the token cannot read, one disabled
 * account, and one heavy account whose tiny insights quota runs out mid-run.
 */
export const DEMO_TOKEN = 'demo-system-user-token-not-a-secret';

export type DemoRole = 'normal' | 'unassigned' | 'disabled' | 'heavy';

export interface DemoClient {
  /** Stable uuid, so re-running the demo against the same database updates rather than duplicates. */
  id: string;
  name: string;
  email: string;
  adAccountId: string;
  timezone: string;
  currency: string;
  role: DemoRole;
}

const HOTELS = [
  'Hotel Bursztyn Kołobrzeg',
  'Apartamenty Nad Zatoką Sopot',
  'Hotel Mewa Ustka',
  'Pensjonat Pod Sosnami Zakopane',
  'Hotel Wydma Łeba',
  'Resort Biała Przystań Mielno',
  'Hotel Stary Młyn Kazimierz',
  'Villa Bałtyk Jastarnia',
  'Hotel Kormoran Międzyzdroje',
  'Dwór Nad Jeziorem Mikołajki',
  'Hotel Panorama Karpacz',
  'Spa Hotel Źródło Krynica',
  'Hotel Port Gdańsk',
  'Apartamenty Złota Plaża Dziwnów',
  'Hotel Dębowy Gaj Olsztyn',
  'Hotel Cesarski Wrocław',
  'Pensjonat Limba Szklarska Poręba',
  'Hotel Latarnia Hel',
  'Resort Zielona Dolina Wisła',
  'Hotel Kamienica Toruń',
  'Hotel Przystań Augustów',
  'Hotel Arkada Kraków',
  'Hotel Brzozowy Zakątek Ełk',
  'Hotel Rybitwa Jurata',
  'Hotel Zamkowy Malbork',
  'Hotel Morena Władysławowo',
  'Hotel Słoneczny Brzeg Rewal',
  'Hotel Orzeł Szczyrk',
];

const ZONES = ['Europe/Warsaw', 'Europe/Warsaw', 'Europe/Warsaw', 'Europe/Berlin', 'Europe/London'];

/** Builds `count` clients (at least 4): the last three are heavy, disabled and unassigned. */
export function demoClients(count = 25): DemoClient[] {
  if (count < 4 || count > HOTELS.length)
    throw new RangeError(`demo client count must be 4..${HOTELS.length}`);
  return Array.from({ length: count }, (_, index) => {
    const n = index + 1;
    const role: DemoRole =
      n === count ? 'unassigned' : n === count - 1 ? 'disabled' : n === count - 2 ? 'heavy' : 'normal';
    const name = HOTELS[index]!;
    return {
      id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      name,
      email: `${slug(name)}@example.com`,
      adAccountId: String(3_000_000_000_000_000 + n),
      timezone: ZONES[index % ZONES.length]!,
      currency: 'PLN',
      role,
    };
  });
}

function slug(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
