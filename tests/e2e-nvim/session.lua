-- One editing session, checked step by step; any failure quits Neovim with exit code 1.
local function fail(msg)
  io.stderr:write('FAILED: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end
local function say(msg) io.stdout:write(msg .. '\n') end
local function with_code(code)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.code == code then table.insert(out, d) end
  end
  return out
end

-- 1. Diagnostics on open: the mis-indented arguments of `install` (line 9), as an error.
if not vim.wait(15000, function() return #with_code('step-shape') > 0 end, 50) then
  fail('no step-shape diagnostic within 15 s; got ' .. vim.inspect(vim.diagnostic.get(0)))
end
local d = with_code('step-shape')[1]
if d.lnum ~= 8 or d.col ~= 8 or d.severity ~= vim.diagnostic.severity.ERROR then
  fail('step-shape at ' .. (d.lnum + 1) .. ':' .. (d.col + 1) .. ' severity ' .. d.severity)
end
say(string.format('diagnostic %d:%d [%s] %s', d.lnum + 1, d.col + 1, d.code, d.message))

-- 2. Code actions at it: the fix and "ignore here".
local params = { textDocument = { uri = vim.uri_from_bufnr(0) } }
params.range = {
  start = { line = d.lnum, character = d.col },
  ['end'] = { line = d.end_lnum, character = d.end_col },
}
-- The diagnostic as the server sent it (written out: the helpers for it differ by version).
params.context = {
  diagnostics = {
    { range = params.range, message = d.message, code = d.code, severity = d.severity, source = d.source },
  },
}
local fix, titles = nil, {}
for _, r in pairs(vim.lsp.buf_request_sync(0, 'textDocument/codeAction', params, 5000) or {}) do
  for _, a in ipairs(r.result or {}) do
    table.insert(titles, a.title)
    if not fix and a.title:match('^Fix: indent') then fix = a end
  end
end
say('code actions: ' .. table.concat(titles, ' | '))
if not fix or not fix.edit then fail('no indent fix among the code actions') end
if not vim.tbl_contains(titles, 'Ignore `step-shape` here') then fail('no ignore action') end

-- 3. The fix applied: the argument moves under the step, and the diagnostic goes.
vim.lsp.util.apply_workspace_edit(fix.edit, 'utf-16')
local line = vim.api.nvim_buf_get_lines(0, 9, 10, false)[1]
if line ~= '          lockfile: package-lock.json' then fail('line 10 after the fix: ' .. line) end
if not vim.wait(15000, function() return #with_code('step-shape') == 0 end, 50) then
  fail('step-shape still reported after the fix')
end
say('after the fix: line 10 is "' .. line .. '", ' .. #vim.diagnostic.get(0) .. ' diagnostics left')

-- 4. Go to definition: the workflow's `- test` (line 24) leads to the job (line 4).
local defs = vim.lsp.buf_request_sync(0, 'textDocument/definition', {
  textDocument = { uri = vim.uri_from_bufnr(0) },
  position = { line = 23, character = 8 },
}, 5000) or {}
local target
for _, r in pairs(defs) do
  local res = r.result
  if res and res.uri then res = { res } end
  if res and res[1] then target = res[1].range or res[1].targetSelectionRange end
end
if not target or target.start.line ~= 3 then fail('definition of `test`: ' .. vim.inspect(defs)) end
say('definition of test: line ' .. (target.start.line + 1))
vim.cmd('qa!')
