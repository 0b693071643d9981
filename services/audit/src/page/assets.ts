/** The page's stylesheet and its one script (the sign-in form), served from /audit/assets so
 *  that the Content-Security-Policy allows nothing inline. Narrow screens (390 px) get one
 *  column: tables become cards, the diff's sides stack. */
export const AUDIT_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1b1f24;background:#f6f7f9}
header{background:#123a63;color:#fff;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:baseline}
header a{color:#fff}
header strong{font-size:1.1rem;margin-right:auto}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;line-height:1.3;overflow-wrap:anywhere}
h2{font-size:1.1rem;margin-top:1.5rem}
a{color:#0b5cad}
form.search{display:flex;flex-wrap:wrap;gap:.5rem}
form.search input[type=search],form.login input{flex:1 1 16rem;min-width:0;padding:.5rem;font:inherit}
button,select{font:inherit;padding:.45rem .8rem}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;vertical-align:top;padding:.45rem .6rem;border-bottom:1px solid #dde1e6;overflow-wrap:anywhere}
th{background:#eef1f4;font-weight:600}
code{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.status{padding:.75rem 1rem;border-radius:.4rem;margin:1rem 0;background:#fff;border-left:.4rem solid #999}
.status.ok{border-color:#1f7a3a}
.status.bad{border-color:#b3261e;background:#fdecea}
.diff{display:grid;grid-template-columns:1fr 1fr;gap:.75rem;margin:.5rem 0 1.25rem}
.diff>div{background:#fff;padding:.6rem .8rem;border:1px solid #dde1e6;white-space:pre-wrap;overflow-wrap:anywhere}
.diff h3{grid-column:1/-1;margin:0;font:600 13px ui-monospace,Menlo,Consolas,monospace}
del{background:#ffd7d5;text-decoration:line-through}
ins{background:#ccf0d4;text-decoration:none}
.muted{color:#5b6673}
form.versions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
@media (max-width:600px){
  main{padding:.75rem}
  .diff{grid-template-columns:1fr}
  table.cards thead{display:none}
  table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
  table.cards tr{border:1px solid #dde1e6;margin:0 0 .75rem;background:#fff}
  table.cards td{border:0;padding:.25rem .6rem}
  table.cards td::before{content:attr(data-label);display:block;font-size:.8rem;color:#5b6673}
}
`;

export const LOGIN_JS = `
document.querySelector('form.login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = new FormData(event.target).get('token');
  const reply = await fetch('/audit/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (reply.ok) location.reload();
  else document.querySelector('#login-error').textContent = (await reply.json()).detail;
});
`;
