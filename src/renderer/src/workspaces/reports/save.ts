import type { ReportFormat, ReportOutput } from '../../../../shared/contract';
import { fileSlug } from '../../../../shared/file-slug';
import { api, captureToken, shellKind } from '../../api/client';

const EXT: Record<ReportFormat, string> = { html: 'html', markdown: 'md', pdf: 'pdf' };

export function fileName(title: string, format: ReportFormat): string {
  return `${fileSlug(title)}.${EXT[format]}`;
}

function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Browser mode: a plain link to the download route; the token rides in the query string (GET only). */
export function downloadHref(url: string): string {
  return `${url}?token=${encodeURIComponent(captureToken() ?? '')}`;
}

function clickDownload(url: string, name: string): void {
  const a = document.createElement('a');
  a.href = downloadHref(url);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** Electron: the save dialog; browser: the stored file's download URL. Returns a status line. */
export async function saveGenerated(out: ReportOutput, format: ReportFormat): Promise<string> {
  const name = fileName(out.report_metadata.title, format);
  if (shellKind() === 'electron' && window.api) {
    // The engine printed the PDF (Electron: printToPDF, injected by the main process) and stored it.
    const data: string | Uint8Array =
      format === 'pdf' && out.id ? base64Bytes((await api('reports:content', { id: out.id })).data) : format === 'markdown' ? out.markdown : out.html;
    const where = await window.api.saveFile(name, data);
    return where ? `Saved to ${where}.` : 'Save cancelled; the report is still listed below.';
  }
  if (out.download_url) clickDownload(out.download_url, name);
  return `Stored as ${name}; the download has started.`;
}

/** Save a stored report again (list rows). */
export async function saveStored(id: string, url: string, name: string): Promise<string> {
  if (shellKind() === 'electron' && window.api) {
    const c = await api('reports:content', { id });
    const where = await window.api.saveFile(c.file_name, c.encoding === 'base64' ? base64Bytes(c.data) : c.data);
    return where ? `Saved to ${where}.` : 'Save cancelled.';
  }
  clickDownload(url, name);
  return `Downloading ${name}.`;
}
