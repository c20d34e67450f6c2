/** Saves `text` as a file called `name` through the browser's download, made in the page (no server round trip). */
export function saveFile(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // Some browsers read the object only after the click returns.
  setTimeout(() => { URL.revokeObjectURL(url); }, 60_000);
}
