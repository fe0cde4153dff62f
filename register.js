// node --require edit-continue/register app.js: retry boundaries for a program started without edit-continue (see README, attach).
require('./dist/inject/register.js');
