-- Neovim's own LSP client against `prov lsp`, headless: open a claim file of the tiny workspace,
-- break a quote in the buffer (unsaved), wait for prov's diagnostics, print them, quit.
-- Works with Neovim 0.7 (Debian bookworm) and later. Run by tests/lsp/neovim/run.sh.
local prov, root = vim.env.PROV_BIN, vim.env.WS
local out = io.stdout
local function say(s) out:write(s .. '\n') end

local client = vim.lsp.start_client({ name = 'prov', cmd = { prov, 'lsp' }, root_dir = root })
if not client then say('FAIL: no client'); vim.cmd('cquit 1') end
vim.cmd('edit ' .. root .. '/claims/facts.toml')
vim.lsp.buf_attach_client(0, client)

local function wait_for(pred, what)
  if not vim.wait(20000, pred, 50) then
    say('FAIL: timed out waiting for ' .. what)
    vim.cmd('cquit 1')
  end
end

wait_for(function() return #vim.diagnostic.get(0) > 0 end, 'the first diagnostics')
-- Edit the buffer as a user would (unsaved): 66 becomes 65.
local lnum
for i, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
  if line:find('avait 66 ans', 1, true) then lnum = i end
end
vim.api.nvim_buf_set_lines(0, lnum - 1, lnum, false, { 'quote = "La victime avait 65 ans."' })
wait_for(function()
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.code == 'changed' then return true end
  end
  return false
end, 'a `changed` diagnostic')
for _, d in ipairs(vim.diagnostic.get(0)) do
  say(string.format('%d:%d %s %s', d.lnum + 1, d.col, d.code or '?', vim.split(d.message, '\n')[1]))
end
say('neovim: 1 passed, 0 failed')
vim.lsp.stop_client(client)
vim.cmd('qa!')
