-- The Neovim suite: Neovim's built-in LSP client (0.7: vim.lsp.start_client + buf_attach_client) drives the
-- bundled server (server/out/server.js --stdio) on a copy of test/neovim/fixtures, the way a user's init.lua
-- would, and checks what the user gets: diagnostics with codes and ranges, hover, a code action applied through
-- vim.lsp.buf.code_action, go-to-definition into a closed file. Run by scripts/e2e/run-neovim.sh:
--   nvim --headless -n -i NONE -u test/neovim/test-init.lua
-- Environment: MTYPE_NVIM_WORKSPACE (the copy), MTYPE_SERVER, MTYPE_CLI, MTYPE_NODE.
-- Prints one line per check and "neovim: N passed, N failed"; exits non-zero when anything failed.

local workspace = assert(vim.env.MTYPE_NVIM_WORKSPACE, 'MTYPE_NVIM_WORKSPACE is not set')
local server = assert(vim.env.MTYPE_SERVER, 'MTYPE_SERVER is not set')
local cli = assert(vim.env.MTYPE_CLI, 'MTYPE_CLI is not set')
local node = vim.env.MTYPE_NODE or 'node'
local WAIT_MS = 15000

local passed, failed = 0, 0
local function say(line) io.stdout:write(line .. '\n') end

local function check(name, fn)
  local ok, err = pcall(fn)
  if ok then
    passed = passed + 1
    say('  ok    ' .. name)
  else
    failed = failed + 1
    say('  FAIL  ' .. name .. ': ' .. tostring(err))
  end
end

local function wait_for(what, predicate)
  if not vim.wait(WAIT_MS, predicate, 20) then error('no ' .. what .. ' within ' .. WAIT_MS .. ' ms', 2) end
end

local function expect(cond, message)
  if not cond then error(message, 2) end
end

local function file(name) return workspace .. '/' .. name end

-- What a user's init.lua for Neovim 0.7 does (docs/editors.md): a filetype, a client, attach on FileType.
vim.cmd('autocmd BufNewFile,BufRead *.mtype setfiletype mtype')
-- Neovim 0.7 does not announce code links (codeDescriptionSupport), so the server sends none; a user who wants
-- them in user_data announces them, as here.
local capabilities = vim.lsp.protocol.make_client_capabilities()
capabilities.textDocument.publishDiagnostics.codeDescriptionSupport = true
local client_id = vim.lsp.start_client({
  name = 'mtype',
  cmd = { node, server, '--stdio' },
  root_dir = workspace,
  settings = { mtype = { severity = {} } },
  capabilities = capabilities,
})
vim.cmd('autocmd FileType mtype lua vim.lsp.buf_attach_client(0, ' .. client_id .. ')')

-- The "Explain" code lens runs the client command mtype.explainMachine (VS Code's); docs/editors.md maps it to
-- the server's mtype/explain request, shown in a scratch buffer. This is that snippet.
vim.lsp.commands['mtype.explainMachine'] = function(command, ctx)
  local lsp_client = vim.lsp.get_client_by_id(ctx.client_id)
  lsp_client.request('mtype/explain', { name = command.arguments[1], format = 'markdown' }, function(err, result)
    if err then return vim.notify(err.message, vim.log.levels.ERROR) end
    vim.cmd('new')
    vim.bo.buftype, vim.bo.filetype = 'nofile', 'markdown'
    vim.api.nvim_buf_set_lines(0, 0, -1, false, vim.split(result.text, '\n'))
  end, ctx.bufnr)
end

local function client() return vim.lsp.get_client_by_id(client_id) end

--- The diagnostics Neovim shows for a buffer, as {code, severity, range} with 0-based LSP positions.
local function shown(bufnr, code)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if code == nil or d.code == code then table.insert(list, d) end
  end
  return list
end

local SEVERITY = { error = vim.diagnostic.severity.ERROR, warning = vim.diagnostic.severity.WARN,
  information = vim.diagnostic.severity.INFO, hint = vim.diagnostic.severity.HINT }

local function open(name)
  vim.cmd('edit ' .. vim.fn.fnameescape(file(name)))
  return vim.api.nvim_get_current_buf()
end

--- Puts the cursor on the first occurrence of `text` on 0-based line `line` (offset chars into it).
local function cursor_at(line, text, offset)
  local col = vim.api.nvim_buf_get_lines(0, line, line + 1, true)[1]:find(text, 1, true)
  expect(col, 'no "' .. text .. '" on line ' .. line)
  vim.api.nvim_win_set_cursor(0, { line + 1, col - 1 + (offset or 0) })
end

local function float_text()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      return table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false), '\n')
    end
  end
end

local function close_floats()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then vim.api.nvim_win_close(win, true) end
  end
end

local function run()
  local fixes

  check('the server starts and initializes over stdio', function()
    expect(client_id, 'vim.lsp.start_client returned nil')
    fixes = open('fixes.mtype')
    expect(vim.bo.filetype == 'mtype', 'filetype is "' .. vim.bo.filetype .. '"')
    wait_for('initialized client', function() return client() and client().initialized end)
    expect(vim.lsp.buf_is_attached(fixes, client_id), 'the client is not attached to fixes.mtype')
  end)
  if failed > 0 then return end -- every other check would only wait out its deadline

  check('diagnostics arrive with codes, severities and ranges', function()
    wait_for('MT300 in fixes.mtype', function() return #shown(fixes, 'MT300') > 0 end)
    local mt300 = shown(fixes, 'MT300')
    expect(#mt300 == 1, #mt300 .. ' MT300 diagnostics')
    local d = mt300[1]
    expect(d.severity == vim.diagnostic.severity.ERROR, 'MT300 severity ' .. d.severity)
    expect(d.lnum == 9 and d.col == 4 and d.end_lnum == 9 and d.end_col == 15,
      ('MT300 at %d:%d-%d:%d, not on "+kvm-pv-eoi" (9:4-9:15)'):format(d.lnum, d.col, d.end_lnum, d.end_col))
    expect(d.message:find('kvm-pv-eoi (CPUID 0x40000001 EAX[6])', 1, true), 'MT300 message: ' .. d.message)
    expect(d.source == 'mtype', 'source ' .. tostring(d.source))
    local mt302 = shown(fixes, 'MT302')
    expect(#mt302 == 1 and mt302[1].lnum == 17 and mt302[1].severity == vim.diagnostic.severity.INFO,
      'MT302 not once on the qemu line of nv-whitelist as information')
  end)

  check('the diagnostics equal `mtype check --format json` (the CLI) for the file', function()
    local json = vim.fn.system({ node, cli, 'check', '--format', 'json', file('fixes.mtype') })
    local report = vim.fn.json_decode(json)
    local want, got = {}, {}
    for _, d in ipairs(report.files[1].diagnostics) do
      table.insert(want, ('%s %d %d:%d-%d:%d'):format(d.code, SEVERITY[d.severity], d.range.start.line,
        d.range.start.character, d.range['end'].line, d.range['end'].character))
    end
    for _, d in ipairs(shown(fixes)) do
      table.insert(got, ('%s %d %d:%d-%d:%d'):format(d.code, d.severity, d.lnum, d.col, d.end_lnum, d.end_col))
    end
    table.sort(want)
    table.sort(got)
    expect(#want > 0, 'the CLI reports nothing')
    expect(vim.deep_equal(want, got), 'editor: ' .. table.concat(got, ', ') .. ' / CLI: ' .. table.concat(want, ', '))
  end)

  check('a code link opens the bundled codes page at the code', function()
    local href = shown(fixes, 'MT300')[1].user_data.lsp.codeDescription.href
    local path, line = href:match('^file://(.-)#L(%d+)$')
    expect(path, 'href is not a file: URI with a #L line: ' .. href)
    path = vim.uri_to_fname('file://' .. path)
    expect(vim.fn.filereadable(path) == 1, 'the codes page is missing: ' .. path)
    local heading = vim.fn.readfile(path)[tonumber(line)]
    expect(heading and heading:find('^## MT300:'), 'line ' .. line .. ' of the codes page is "' .. tostring(heading) .. '"')
  end)

  check('hover on a whitelisted bit shows its CPUID location', function()
    cursor_at(9, 'kvm-pv-eoi', 2)
    vim.lsp.buf.hover()
    wait_for('hover window', function() return float_text() ~= nil end)
    local text = float_text()
    close_floats()
    expect(text:find('kvm-pv-eoi', 1, true), 'hover does not name the bit: ' .. text)
    expect(text:find('0x40000001', 1, true) and text:find('EAX', 1, true), 'hover lacks the CPUID location: ' .. text)
  end)

  check('the code action "Mask kvm-pv-eoi" applies and MT300 goes', function()
    local titles = {}
    local original_select = vim.ui.select
    -- The user's pick from the code-action menu: the mask fix.
    vim.ui.select = function(items, opts, on_choice)
      for _, item in ipairs(items) do
        local title = opts.format_item(item)
        table.insert(titles, title)
        if title:find('^Mask kvm%-pv%-eoi') then return on_choice(item) end
      end
      on_choice(nil)
    end
    cursor_at(9, '+kvm-pv-eoi')
    vim.lsp.buf.code_action()
    wait_for('code-action menu', function() return #titles > 0 end)
    vim.ui.select = original_select
    expect(vim.tbl_filter(function(t) return t:find('^Mask kvm%-pv%-eoi') end, titles)[1],
      'no "Mask kvm-pv-eoi" among: ' .. table.concat(titles, ' | '))
    wait_for('MT300 to go', function() return #shown(fixes, 'MT300') == 0 end)
    local text = table.concat(vim.api.nvim_buf_get_lines(fixes, 0, -1, true), '\n')
    expect(not text:find('+kvm-pv-eoi', 1, true), 'the buffer still whitelists kvm-pv-eoi')
    expect(text:find('# needs Linux 3.6', 1, true), 'the fix lost the comment on the edited line')
    expect(#shown(fixes, 'MT302') == 1, 'the other machine\'s MT302 went too')
  end)

  check('go to definition jumps into the closed file that defines the base', function()
    open('child.mtype')
    wait_for('attach to child.mtype', function() return vim.lsp.buf_is_attached(0, client_id) end)
    cursor_at(1, 'nv-base', 3)
    vim.lsp.buf.definition()
    wait_for('jump to base.mtype', function() return vim.api.nvim_buf_get_name(0) == file('base.mtype') end)
    local pos = vim.api.nvim_win_get_cursor(0)
    local line = vim.api.nvim_buf_get_lines(0, pos[1] - 1, pos[1], true)[1]
    expect(line:find('^machine nv%-base'), 'the cursor is on "' .. line .. '", not the definition')
  end)

  check('mtype.severity from the settings applies (MT302 as a warning)', function()
    local settings = { mtype = { severity = { MT302 = 'warning' } } }
    client().config.settings = settings
    client().notify('workspace/didChangeConfiguration', { settings = settings })
    wait_for('MT302 as a warning', function()
      local d = shown(fixes, 'MT302')[1]
      return d and d.severity == vim.diagnostic.severity.WARN
    end)
  end)

  check('the "Explain" code lens opens the explanation through the documented command', function()
    vim.cmd('buffer ' .. fixes)
    vim.lsp.codelens.refresh()
    local explain = function(lens) return lens.command and lens.command.title == 'Explain' end
    wait_for('code lenses', function() return #vim.tbl_filter(explain, vim.lsp.codelens.get(fixes)) >= 2 end)
    cursor_at(16, 'nv-whitelist')
    local original_select = vim.ui.select
    vim.ui.select = function(items, opts, on_choice) -- several lenses on the line: the user picks "Explain"
      for _, item in ipairs(items) do
        if (opts.format_item and opts.format_item(item) or item):find('Explain') then return on_choice(item) end
      end
      on_choice(nil)
    end
    vim.lsp.codelens.run()
    wait_for('explanation buffer', function() return vim.bo.filetype == 'markdown' end)
    vim.ui.select = original_select
    local first = vim.api.nvim_buf_get_lines(0, 0, 1, true)[1]
    expect(first == '# machine nv-whitelist', 'the explanation starts with "' .. first .. '"')
    vim.cmd('close')
  end)

  check('the custom request mtype/machines lists the workspace machines', function()
    local answer = client().request_sync('mtype/machines', {}, WAIT_MS, fixes)
    expect(answer and answer.result, 'no answer: ' .. vim.inspect(answer))
    local names = vim.tbl_map(function(m) return m.name end, answer.result.machines)
    table.sort(names)
    expect(table.concat(names, ' ') == 'nv-base nv-child nv-mask nv-whitelist', 'machines: ' .. table.concat(names, ' '))
  end)
end

local function finish()
  say(('neovim: %d passed, %d failed'):format(passed, failed))
  if client() then
    client().stop()
    vim.wait(3000, function() return client() == nil or client().is_stopped() end, 20)
  end
  vim.cmd((failed == 0 and passed > 0) and 'qall!' or 'cquit! 1')
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  nested = true, -- the suite's :edit must fire BufRead and FileType, as a user's would
  callback = function()
    say('neovim suite: ' .. vim.fn.execute('version'):match('NVIM v[%d.]+') .. ', server ' .. server)
    local ok, err = pcall(run)
    if not ok then
      failed = failed + 1
      say('  FAIL  the suite itself: ' .. tostring(err))
    end
    finish()
  end,
})
