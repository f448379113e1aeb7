-- cilint's language server in Neovim's own LSP client (`tests/e2e-nvim/run.sh`). Works from
-- Neovim 0.7 (Debian 12's) on: `vim.lsp.start` where it exists (0.8+), else the older
-- start_client and buf_attach_client.
local cmd = { vim.env.CILINT_BIN or 'cilint', 'lsp' }
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'yaml',
  callback = function(args)
    if vim.lsp.start then
      vim.lsp.start({ name = 'cilint', cmd = cmd, root_dir = vim.fn.getcwd() })
    else
      local id = vim.lsp.start_client({ name = 'cilint', cmd = cmd, root_dir = vim.fn.getcwd() })
      vim.lsp.buf_attach_client(args.buf, id)
    end
  end,
})
