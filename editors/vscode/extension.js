// The prov extension: starts `prov lsp` for the claim files and sources.toml of a workspace.
// Everything else (diagnostics, code actions, hover, completion, definitions, symbols) is the
// server's; see docs/editors.md.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('prov');
  const serverOptions = {
    command: config.get('path') || 'prov',
    args: ['lsp'],
    transport: TransportKind.stdio,
  };
  const clientOptions = {
    // By path, so no TOML language extension is needed.
    documentSelector: [
      { scheme: 'file', pattern: '**/claims/**/*.toml' },
      { scheme: 'file', pattern: '**/sources.toml' },
    ],
    initializationOptions: { debounceMs: config.get('debounceMs') },
  };
  client = new LanguageClient('prov', 'prov', serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
