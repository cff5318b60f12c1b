// Built-in samples of the bitcoind source's events for `hookd test --type`,
// taken from a real regtest node (bitcoind v31.99); amounts as written.
import { parseJson, type JsonObject } from '../../json.js';

const SAMPLE_TEXTS = {
  block_connected:
    '{"hash":"667d9d0143b07a68d99abce4a491042ac5d99c67339461a61c600b915b7c322c","height":5,"time":1796099698,"mediantime":1796099697,"previousblockhash":"41c7e42ff1d68afea0fe8dbd768b37369746835506799be93eb855f420d41774","nTx":1}',
  block_disconnected: '{"hash":"2ec2abec2e04e883d9bcf290b8fad1983226d8effbd3a8eb80e30d1acf349076","height":112}',
  wallet_tx:
    '{"wallet":"shop","txid":"887e48b714298667839826c0e2d5d5d69a6cc1f7020c96db29831154ba768d70","vout":0,"address":"bcrt1qtdq3j4pum9dc0u0sgmu7d20ku8wupe4l5u3zkq","label":"","category":"receive","amount":0.12345678,"fee":null,"confirmations":1,"blockhash":"2ec2abec2e04e883d9bcf290b8fad1983226d8effbd3a8eb80e30d1acf349076","blockheight":112,"time":1796099721}',
} as const;

// The id each sample would have.
const SAMPLE_IDS: Record<keyof typeof SAMPLE_TEXTS, string> = {
  block_connected: 'block:667d9d0143b07a68d99abce4a491042ac5d99c67339461a61c600b915b7c322c',
  block_disconnected: 'block:2ec2abec2e04e883d9bcf290b8fad1983226d8effbd3a8eb80e30d1acf349076:disconnected',
  wallet_tx: 'shop:887e48b714298667839826c0e2d5d5d69a6cc1f7020c96db29831154ba768d70:0:receive:2ec2abec2e04e883d9bcf290b8fad1983226d8effbd3a8eb80e30d1acf349076',
};

export const BITCOIND_SAMPLE_NAMES = Object.keys(SAMPLE_TEXTS) as (keyof typeof SAMPLE_TEXTS)[];

// The sample of that event type, or undefined.
export function bitcoindSample(type: string): { readonly id: string; readonly fields: JsonObject } | undefined {
  if (!Object.prototype.hasOwnProperty.call(SAMPLE_TEXTS, type)) return undefined;
  const name = type as keyof typeof SAMPLE_TEXTS;
  return { id: SAMPLE_IDS[name], fields: parseJson(SAMPLE_TEXTS[name]) as JsonObject };
}
