document.querySelectorAll('[data-copy]').forEach(function(b){b.hidden=false;b.addEventListener('click',function(){
var i=document.getElementById(b.getAttribute('data-copy'));if(!i)return;i.select();
(navigator.clipboard?navigator.clipboard.writeText(i.value):Promise.reject()).catch(function(){document.execCommand('copy')});
b.textContent='Copied';setTimeout(function(){b.textContent='Copy'},2000)})});
document.querySelectorAll('form[data-upload]').forEach(function(f){f.addEventListener('submit',function(e){
var i=f.querySelector('input[type=file]'),o=document.getElementById(f.getAttribute('data-upload'));
var file=i&&i.files&&i.files[0],max=+f.getAttribute('data-max-bytes'),ok=(i.getAttribute('accept')||'').split(',');
var msg='';if(!file)msg='Choose a file first.';else if(max&&file.size>max)msg='That file is too large: the limit is '+f.getAttribute('data-max-label')+'.';
else if(file.type&&ok.indexOf(file.type)<0)msg='That type of file cannot be uploaded: use '+f.getAttribute('data-types-label')+'.';
if(msg){e.preventDefault();o.textContent=msg;o.hidden=false;i.setAttribute('aria-invalid','true');i.focus()}})});
document.querySelectorAll('a[data-refresh]').forEach(function(a){
setTimeout(function(){location.replace(a.href)},1000*(+a.getAttribute('data-refresh')||2))});
