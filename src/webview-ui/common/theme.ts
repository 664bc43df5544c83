// The look every panel shares: VS Code's theme variables and the codicon font (bundled next to the
// panel's script; the CSP lets fonts and styles come only from there).
import '@vscode/codicons/dist/codicon.css';
import './base.css';
