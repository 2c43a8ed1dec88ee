// The crash screen: see src/crash.rs.
const TEXTS = {
  fr: ['Carnet s’est arrêté', 'Une erreur a arrêté l’application. Les fiches déjà enregistrées ne sont pas perdues.', 'Rouvrir Carnet'],
  en: ['Carnet stopped', 'An error stopped the app. Records already saved are not lost.', 'Reopen Carnet'],
};

export function watch_crashes() {
  const crashed = (error) => {
    if (!(error instanceof WebAssembly.RuntimeError) || document.querySelector('.crash')) return;
    const [title, text, again] = TEXTS[document.documentElement.lang.startsWith('en') ? 'en' : 'fr'];
    const screen = document.createElement('div');
    screen.className = 'crash';
    screen.setAttribute('role', 'alertdialog');
    screen.setAttribute('aria-label', title);
    const heading = document.createElement('h1');
    const sentence = document.createElement('p');
    const button = document.createElement('button');
    heading.textContent = title;
    sentence.textContent = text;
    button.textContent = again;
    button.className = 'primary big';
    button.onclick = () => location.reload();
    for (const element of document.body.children) element.inert = true;
    screen.append(heading, sentence, button);
    document.body.append(screen);
    button.focus();
  };
  addEventListener('error', (event) => crashed(event.error));
  addEventListener('unhandledrejection', (event) => crashed(event.reason));
}
