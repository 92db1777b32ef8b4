/* Sphinx's doctools.js compiles the message catalog's plural rule with `new Function`, which the
   portal's Content-Security-Policy refuses (no 'unsafe-eval'); the search then cannot count its
   results. Loaded after doctools.js and before translations.js, this takes the catalog without
   eval. The manual is in Portuguese: this is the rule of Sphinx's pt_BR catalog, written out
   (tests/test_manual.py checks that the catalog still has it). */
"use strict";

Documentation.addTranslations = function (catalog) {
  Object.assign(Documentation.TRANSLATIONS, catalog.messages);
  Documentation.PLURAL_EXPR = function (n) {
    return (n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;
  };
  Documentation.LOCALE = catalog.locale;
};
