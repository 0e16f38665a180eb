/** Time and ids are injected so tests never sleep and never depend on randomness they cannot see. */
import { randomBytes } from 'node:crypto'

export interface Clock {
  /** Epoch milliseconds. */
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

export interface IdGenerator {
  /** 32 lowercase hex characters, like MLflow's run ids. */
  runId(): string
  /** MLflow-style "<adjective>-<noun>-<number>" names for runs created without one. */
  runName(): string
}

const ADJECTIVES = [
  'able', 'amazing', 'bold', 'brave', 'bright', 'calm', 'capable', 'clean', 'clever', 'crisp', 'dapper',
  'defiant', 'eager', 'exuberant', 'fearless', 'gentle', 'glamorous', 'good', 'grandiose', 'honest',
  'hilarious', 'kindly', 'languid', 'loud', 'lucky', 'mercurial', 'merciful', 'nebulous', 'polite',
  'resilient', 'rogue', 'royal', 'rumbling', 'salty', 'secretive', 'sedate', 'shivering', 'silent',
  'skillful', 'smiling', 'spiffy', 'stylish', 'suave', 'sweet', 'thundering', 'traveling', 'trusting',
  'unequaled', 'upbeat', 'useful', 'valuable', 'victorious', 'welcoming', 'wise', 'zealous',
]
const NOUNS = [
  'ant', 'ape', 'asp', 'auk', 'bass', 'bat', 'bear', 'bird', 'boar', 'bug', 'calf', 'carp', 'cat', 'chimp',
  'cod', 'colt', 'conch', 'cow', 'crab', 'crane', 'croc', 'crow', 'cub', 'deer', 'doe', 'dog', 'dolphin',
  'donkey', 'dove', 'duck', 'eel', 'elk', 'fawn', 'finch', 'fish', 'flea', 'fly', 'foal', 'fowl', 'fox',
  'frog', 'gnat', 'gnu', 'goat', 'goose', 'grouse', 'grub', 'gull', 'hare', 'hawk', 'hen', 'hog', 'horse',
  'hound', 'jay', 'kit', 'kite', 'koi', 'lamb', 'lark', 'loon', 'lynx', 'mare', 'midge', 'mink', 'mole',
  'moose', 'moth', 'mouse', 'mule', 'newt', 'owl', 'ox', 'panda', 'penguin', 'perch', 'pig', 'pug', 'quail',
  'ram', 'rat', 'ray', 'robin', 'roo', 'rook', 'seal', 'shad', 'shark', 'sheep', 'shoat', 'shrew', 'shrike',
  'shrimp', 'skink', 'skunk', 'sloth', 'slug', 'smelt', 'snail', 'snake', 'snipe', 'sow', 'sponge', 'squid',
  'squirrel', 'stag', 'steed', 'stoat', 'stork', 'swan', 'tern', 'toad', 'trout', 'turtle', 'vole', 'wasp',
  'whale', 'wolf', 'worm', 'wren', 'yak', 'zebra',
]

function pick<T>(list: readonly T[], byte: number): T {
  return list[byte % list.length]!
}

export const randomIds: IdGenerator = {
  runId: () => randomBytes(16).toString('hex'),
  runName: () => {
    const b = randomBytes(4)
    return `${pick(ADJECTIVES, b[0]!)}-${pick(NOUNS, b[1]!)}-${(b.readUInt16BE(2) % 1000).toString()}`
  },
}
