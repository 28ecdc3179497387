// The UsernameToken checks moved to src/contract/ws-security.ts, where the gateway (which may not
// import src/soap) shares them with the core; this module keeps the core's imports working.

export {
  NonceCache, passwordDigest, verifyUsernameToken, type AuthReason, type AuthResult, type UsernameToken,
} from '../contract/ws-security.ts';
