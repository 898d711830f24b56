/** A small demo community: people whose past answers show different expertise. */
export const demoPeople = [
  { key: 'hops', name: 'Hannah Hopsworth', email: 'hannah@demo.example' },
  { key: 'wine', name: 'Victor Vine', email: 'victor@demo.example' },
  { key: 'whisky', name: 'Morag Malt', email: 'morag@demo.example' },
  { key: 'asker', name: 'Dana Newbrew', email: 'dana@demo.example' },
] as const;

export type DemoKey = (typeof demoPeople)[number]['key'];

/** Their history, dated like a real site's: each question was asked `daysAgo` days ago and answered an hour later. */
export const demoHistory: { daysAgo: number; asker: DemoKey; answerer: DemoKey; title: string; body: string; tags: string[]; answer: string }[] = [
  {
    daysAgo: 120, asker: 'asker', answerer: 'hops', tags: ['hops', 'ipa'],
    title: 'When should I add hops for bitterness?',
    body: 'My IPA is not bitter enough. Does the boil time of the hops matter?',
    answer: 'Bittering hops go in at the start of the boil; alpha acids isomerise over 60 minutes.',
  },
  {
    daysAgo: 45, asker: 'wine', answerer: 'hops', tags: ['hops', 'dry-hopping'],
    title: 'Does dry hopping add bitterness?',
    body: 'I dry hopped a pale ale with Citra hops. Why is the aroma strong but the bitterness low?',
    answer: 'Dry hopping adds aroma oils, not bitterness: alpha acids need the heat of the boil.',
  },
  {
    daysAgo: 200, asker: 'asker', answerer: 'wine', tags: ['wine', 'tannins'],
    title: 'Why does young red wine taste so dry?',
    body: 'What do grape tannins do to a young red wine?',
    answer: 'Tannins from grape skins bind proteins in saliva; they soften as the wine ages.',
  },
  {
    daysAgo: 60, asker: 'hops', answerer: 'wine', tags: ['wine', 'decanting'],
    title: 'Should I decant a young red wine?',
    body: 'Does decanting soften the tannins of a young Cabernet?',
    answer: 'Decanting lets the wine breathe; the tannins seem softer after an hour.',
  },
  {
    daysAgo: 90, asker: 'asker', answerer: 'whisky', tags: ['whisky', 'peat'],
    title: 'What makes Islay whisky smoky?',
    body: 'Where does the peat smoke flavour in Scotch whisky come from?',
    answer: 'The malted barley is dried over peat fires; phenols from the smoke carry into the whisky.',
  },
];

export const exampleQuestion = {
  title: 'How many hops for a bitter IPA?',
  body: 'Planning my first IPA brew day and I want real bitterness from the hops.',
  tags: ['hops', 'ipa'],
};
