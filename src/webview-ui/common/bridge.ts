// The page's end of a panel's message channel: typed posts to the host, messages from the host
// checked by the panel's guard, the saved state, and the `ready` handshake sent once listening.
import type { TypedMessage } from '../../shared/webviewProtocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

// acquireVsCodeApi may be called once per page.
let api: VsCodeApi | undefined;
function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

export interface Bridge<ToHost extends TypedMessage, State> {
  post(message: ToHost): void;
  /** What the page saved last (restored by VS Code after a reload or restart), if anything. */
  savedState(): State | undefined;
  saveState(state: State): void;
}

/**
 * Starts listening for the host's messages (those failing `isFromHost` are ignored with a console
 * warning), then tells the host the page is ready.
 */
export function connectBridge<ToHost extends TypedMessage, FromHost extends TypedMessage, State>(
  isFromHost: (x: unknown) => x is FromHost,
  onMessage: (message: FromHost) => void,
  isState: (x: unknown) => x is State,
): Bridge<ToHost, State> {
  const vscode = vscodeApi();
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (!isFromHost(event.data)) {
      console.warn('ignored a message outside the panel protocol');
      return;
    }
    try {
      onMessage(event.data);
    } catch (error) {
      console.error('the panel failed on a message', error);
    }
  });
  vscode.postMessage({ type: 'ready' });
  return {
    post: (message) => vscode.postMessage(message),
    savedState: () => {
      const s = vscode.getState();
      return isState(s) ? s : undefined;
    },
    saveState: (state) => vscode.setState(state),
  };
}
