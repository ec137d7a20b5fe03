/**
 * Constants shared by every test (both packages): one HS256 secret, so a
 * token minted in one test file verifies against a proxy started in another.
 */

/** The secret of the contract's golden vectors (§1.9), hex, used for HS256 everywhere in the tests. */
export const SECRET = '17332cf135d362f79a2ed700b13e1215978be1d6ae6e133d25b6b3f21fa10299';
/** A second, unrelated secret (hex, 32 bytes). */
export const OTHER_SECRET = 'a'.repeat(64);
