// An OpenAI-compatible chat-completions endpoint for bench/matching.sh: answers every
// request after DELAY_MS with {"confidence":90,...}. Usage: node fake_llm.js PORT DELAY_MS
const http = require('http');
const [port, delay] = process.argv.slice(2).map(Number);
const answer = JSON.stringify({ confidence: 90, reason: 'the pull request addresses the issue' });
const body = JSON.stringify({ choices: [{ message: { role: 'assistant', content: answer } }] });
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => setTimeout(() => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }, delay));
}).listen(port, '127.0.0.1');
