import { useState, type DragEvent } from 'react';

/** Drop a file here, or press the button (the zone itself is not a second tab stop). */
export function DropZone({ disabled, onFile, onChoose }: { disabled: boolean; onFile(f: File): void; onChoose(): void }) {
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const f = e.dataTransfer.files[0];
    if (f && !disabled) onFile(f);
  };
  return (
    <div className={`dropzone${over ? ' over' : ''}`} data-testid="dropzone"
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}>
      <p>Drop a CSV, JSON or NDJSON file here (also .gz, .zip or Parquet, as Mixpanel, Amplitude, Segment or GA4 export them): an event log, an aggregated funnel export or a user-level table.</p>
      <button onClick={onChoose} disabled={disabled} data-testid="choose-file">Choose file…</button>
      <p className="muted small">The file is read on this computer; nothing leaves it.</p>
    </div>
  );
}
