// CommonJS on purpose: `require.resolve` here resolves from this file in both builds, where an ES
// module would need `import.meta.url`, which the CommonJS build cannot compile.
"use strict";
/** @param {string} specifier @returns {string} the absolute path `specifier` resolves to from here */
exports.locate = (specifier) => require.resolve(specifier);
