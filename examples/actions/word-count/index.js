const fs = require('fs');
const text = (process.env['INPUT_TEXT'] || '').trim();
const words = text ? text.split(/\s+/).length : 0;
fs.appendFileSync(process.env['GITHUB_OUTPUT'], `words=${words}\n`);
console.log(`::notice title=word-count::"${text}" has ${words} words`);
