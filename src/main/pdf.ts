import { BrowserWindow } from 'electron';
import { PDF_FOOTER } from '../core/reports/pdf';

/**
 * Renders a self-contained report HTML to PDF with Chromium's own print engine, in a hidden,
 * sandboxed window with JavaScript off: the report must not run code, and has none to run.
 */
export async function htmlToPdf(html: string, paper: 'A4' | 'Letter'): Promise<Uint8Array> {
  const win = new BrowserWindow({
    show: false,
    // Its own session: request blocking below must not touch the main window's session.
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, partition: 'iafa-print' },
  });
  try {
    // Blocks every request the page might make: a report is one file with everything inline.
    win.webContents.session.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*'] }, (_d, cb) => cb({ cancel: true }));
    await win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
    const pdf = await win.webContents.printToPDF({
      pageSize: paper,
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: PDF_FOOTER,
      // The same margins as the headless-Chromium path (16/18/14 mm), in the inches Electron wants.
      margins: { top: 0.63, bottom: 0.71, left: 0.55, right: 0.55 },
    });
    return new Uint8Array(pdf);
  } finally {
    win.destroy();
  }
}
