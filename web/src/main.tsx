/** Entry point: read /config.json for the API's address, then start the app. */
import { render } from 'preact';
import { messageOf } from './api';
import { App } from './app';
import { loadConfig } from './config';
import './styles.css';

const root = document.getElementById('app');

async function start(): Promise<void> {
  if (!root) return;
  try {
    const config = await loadConfig();
    render(<App apiUrl={config.apiUrl} />, root);
  } catch (error) {
    render(
      <main id="main" class="sign-in">
        <div class="card narrow alert-error" role="alert">
          <h1>Aurora Time could not start</h1>
          <p>Its settings could not be read ({messageOf(error)}).</p>
          <button type="button" onClick={() => location.reload()}>
            Reload
          </button>
        </div>
      </main>,
      root,
    );
  }
}

void start();
