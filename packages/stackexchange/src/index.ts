export { dumpDate, parseTags, readPosts, type ReadPostsOptions, type SeAnswer, type SePost, type SeQuestion } from './posts.js';
