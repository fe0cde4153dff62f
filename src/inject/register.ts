// `node --require edit-continue/register app.js`: retry boundaries for a program you start yourself
// and attach to later (edit-continue attach). Nothing else: no waiting, no lifeline.
import { installBoundaries } from './hooks';

installBoundaries();
